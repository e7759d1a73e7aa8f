{#- Conservation of tokens. (1) For each token concept, the total reported over all raw span occurrences (read
    independently from the staging attributes) equals the sum over the rows placed in billable calls + audit +
    quarantine + non-model spans. (2) Every billable call's partition adds up: input_total = uncached + cache read +
    cache writes, and input_total = reported input (cache-inclusive) or reported input + cache read + cache write
    (cache-exclusive corrected); reasoning never exceeds output. Returns one row per broken identity. -#}

{%- set concepts = otel_token_concepts() -%}

with

raw_totals as (

    select
        concept,
        sum({{ try_cast('attribute_value', 'bigint') }}) as total_tokens
    from {{ ref('stg_otel__span_attributes') }}
    where
        concept_rank = 1
        and concept in ('{{ concepts | join("', '") }}')
    group by concept

),

classified as (

    select * from {{ ref('int_otel_spans_classified') }}

),

placed_rows as (

    select classified.*
    from classified
    inner join {{ ref('int_llm_calls') }} as calls
        on
            classified.trace_id = calls.trace_id
            and classified.span_id = calls.span_id
            and classified.occurrence_number = 1

    union all

    select classified.*
    from classified
    inner join {{ ref('int_llm_call_audit') }} as audit
        on classified.span_occurrence_id = audit.span_occurrence_id

    union all

    select classified.*
    from classified
    inner join {{ ref('int_otel_spans_quarantined') }} as quarantined
        on classified.span_occurrence_id = quarantined.span_occurrence_id

    union all

    select classified.*
    from classified
    where classified.disposition = 'non_model'

),

placed_totals as (

    {%- for concept in concepts %}
        {%- if not loop.first %}
            union all
        {%- endif %}
        select
            '{{ concept }}' as concept,
            sum({{ concept }}_attribute) as total_tokens
        from placed_rows
    {%- endfor %}

),

concept_breaks as (

    select
        {{ dbt.concat(["'concept total '", 'raw_totals.concept']) }} as broken_identity,
        cast(null as {{ dbt.type_string() }}) as call_id
    from raw_totals
    left outer join placed_totals
        on raw_totals.concept = placed_totals.concept
    where coalesce(raw_totals.total_tokens, -1) <> coalesce(placed_totals.total_tokens, -1)

),

calls as (

    select
        calls.*,
        classified.input_reported_tokens,
        classified.cache_read_reported_tokens,
        classified.cache_write_reported_tokens
    from {{ ref('int_llm_calls') }} as calls
    inner join classified
        on
            calls.trace_id = classified.trace_id
            and calls.span_id = classified.span_id
            and classified.occurrence_number = 1

),

partition_breaks as (

    select
        'partition sum' as broken_identity,
        call_id
    from calls
    where
        input_total_tokens <> input_uncached_tokens + cache_read_tokens + cache_write_5m_tokens + cache_write_1h_tokens
        or input_uncached_tokens < 0

    union all

    select
        'input basis' as broken_identity,
        call_id
    from calls
    where
        input_total_tokens <> input_reported_tokens
        + case
            when input_basis = 'cache_exclusive_corrected'
                then coalesce(cache_read_reported_tokens, 0) + coalesce(cache_write_reported_tokens, 0)
            else 0
        end

    union all

    select
        'reasoning exceeds output' as broken_identity,
        call_id
    from calls
    where reasoning_tokens > output_tokens

),

final as (

    select * from concept_breaks

    union all

    select * from partition_breaks

)

select * from final
