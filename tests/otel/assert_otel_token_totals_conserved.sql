{#- Conservation of tokens, end to end. Returns one row per broken identity.

    (1) Per token concept, the tokens reported by all raw span occurrences, read independently from the staging
        attributes (`stg_otel__span_attributes`, typed here, Langfuse usage_details JSON read here), equal the tokens
        the models placed: `int_llm_calls` (billable calls, from their token partition) + `int_llm_call_audit`
        (wrappers and duplicates) + `int_otel_spans_quarantined`. Everything is compared on the "as reported" basis:
        a call whose cache-exclusive input was corrected has its reported input recovered from its partition
        (input_total - cache read - cache writes). A span outside these three models (disposition non_model) places
        no tokens, so a non-model span carrying tokens, a dropped disposition, a double-placed span or a partition
        that loses tokens all break the identity.
    (2) Every billable call's partition adds up: input_total = uncached + cache read + cache writes, uncached >= 0,
        and reasoning never exceeds output.
    Both sides are compared over the trace dates the latest build rebuilt (macro incremental_window_condition): every
    earlier date holds what an earlier run wrote and checked (docs/incremental.md). Var incremental_test_scope: all
    compares every date. -#}

{%- set langfuse_keys = otel_langfuse_usage_keys() -%}
{%- set in_window = incremental_window_condition('trace_date', [
    ref('stg_otel__span_attributes'), ref('int_otel_spans_classified'), ref('int_llm_calls')
]) -%}

with

span_attributes as (

    select * from {{ ref('stg_otel__span_attributes') }}
    where {{ in_window }}

),

llm_calls as (

    select * from {{ ref('int_llm_calls') }}
    where {{ in_window }}

),

llm_call_audit as (

    select * from {{ ref('int_llm_call_audit') }}
    where {{ in_window }}

),

spans_quarantined as (

    select * from {{ ref('int_otel_spans_quarantined') }}
    where {{ in_window }}

),

{# Audio / image subsets are not carried by the audit and quarantine models: read back by span occurrence. #}
spans_classified as (

    select * from {{ ref('int_otel_spans_classified') }}
    where {{ in_window }}

),

{# ---- (1a) the truth, from staging: one row per span occurrence, every token concept typed ---- #}
staged_values as (

    select
        span_occurrence_id,
        {%- for concept in otel_token_concepts() %}
            max(
                case when concept = '{{ concept }}' then {{ try_cast('attribute_value', 'bigint') }} end
            ) as staged_{{ concept }},
        {%- endfor %}
        max(case when concept = 'langfuse_usage_details' then attribute_value end) as langfuse_usage_details
    from span_attributes
    where concept_rank = 1
    group by span_occurrence_id

),

staged_langfuse as (

    select
        staged_values.*,
        {%- for concept, json_key in langfuse_keys.items() %}
            {{ try_cast(json_extract_text('langfuse_usage_details', json_key), 'bigint') }} as langfuse_{{ concept }}
            {%- if not loop.last %},{% endif %}
        {%- endfor %}
    from staged_values

),

{# Reported basis: the attribute first, then the Langfuse usage_details key (Langfuse output excludes reasoning);
    cache writes are the larger of the unsplit total and the sum of the 5m / 1h splits. #}
staged_reported as (

    select
        span_occurrence_id,
        coalesce(staged_input_tokens, langfuse_input_tokens) as input_tokens,
        coalesce(
            staged_output_tokens,
            langfuse_output_excluding_reasoning_tokens + coalesce(langfuse_reasoning_tokens, 0)
        ) as output_tokens,
        coalesce(staged_cache_read_tokens, langfuse_cache_read_tokens) as cache_read_tokens,
        case
            when
                coalesce(staged_cache_write_tokens, langfuse_cache_write_tokens) is null
                and coalesce(staged_cache_write_5m_tokens, langfuse_cache_write_5m_tokens) is null
                and coalesce(staged_cache_write_1h_tokens, langfuse_cache_write_1h_tokens) is null then null
            else {{ otel_greatest([
                'coalesce(staged_cache_write_tokens, langfuse_cache_write_tokens, 0)',
                'coalesce(staged_cache_write_5m_tokens, langfuse_cache_write_5m_tokens, 0)
                + coalesce(staged_cache_write_1h_tokens, langfuse_cache_write_1h_tokens, 0)'
            ]) }}
        end as cache_write_tokens,
        coalesce(staged_reasoning_tokens, langfuse_reasoning_tokens) as reasoning_tokens,
        staged_input_audio_tokens as input_audio_tokens,
        staged_output_audio_tokens as output_audio_tokens,
        staged_input_image_tokens as input_image_tokens
    from staged_langfuse

),

{# ---- (1b) what the models placed, one row per placed span, on the same basis ---- #}
placed_rows as (

    select
        'billable_call' as placement,
        case
            when input_basis = 'cache_exclusive_corrected'
                then
                    input_total_tokens - coalesce(cache_read_tokens, 0)
                    - coalesce(cache_write_5m_tokens, 0) - coalesce(cache_write_1h_tokens, 0)
            else input_total_tokens
        end as input_tokens,
        output_tokens,
        cache_read_tokens,
        case
            when cache_write_5m_tokens is not null or cache_write_1h_tokens is not null
                then coalesce(cache_write_5m_tokens, 0) + coalesce(cache_write_1h_tokens, 0)
        end as cache_write_tokens,
        reasoning_tokens,
        input_audio_tokens,
        output_audio_tokens,
        input_image_tokens
    from llm_calls

    union all

    select
        'audit' as placement,
        llm_call_audit.input_reported_tokens as input_tokens,
        llm_call_audit.output_reported_tokens as output_tokens,
        llm_call_audit.cache_read_reported_tokens as cache_read_tokens,
        llm_call_audit.cache_write_reported_tokens as cache_write_tokens,
        llm_call_audit.reasoning_reported_tokens as reasoning_tokens,
        spans_classified.input_audio_tokens_attribute as input_audio_tokens,
        spans_classified.output_audio_tokens_attribute as output_audio_tokens,
        spans_classified.input_image_tokens_attribute as input_image_tokens
    from llm_call_audit
    left outer join spans_classified
        on llm_call_audit.span_occurrence_id = spans_classified.span_occurrence_id

    union all

    select
        'quarantine' as placement,
        spans_quarantined.input_reported_tokens as input_tokens,
        spans_quarantined.output_reported_tokens as output_tokens,
        spans_quarantined.cache_read_reported_tokens as cache_read_tokens,
        spans_quarantined.cache_write_reported_tokens as cache_write_tokens,
        spans_quarantined.reasoning_reported_tokens as reasoning_tokens,
        spans_classified.input_audio_tokens_attribute as input_audio_tokens,
        spans_classified.output_audio_tokens_attribute as output_audio_tokens,
        spans_classified.input_image_tokens_attribute as input_image_tokens
    from spans_quarantined
    left outer join spans_classified
        on spans_quarantined.span_occurrence_id = spans_classified.span_occurrence_id

),

{%- set token_columns = [
    'input_tokens', 'output_tokens', 'cache_read_tokens', 'cache_write_tokens', 'reasoning_tokens',
    'input_audio_tokens', 'output_audio_tokens', 'input_image_tokens'
] %}

staged_totals as (

    {%- for column in token_columns %}
        {%- if not loop.first %}
            union all
        {%- endif %}
        select
            '{{ column }}' as concept,
            coalesce(sum({{ column }}), 0) as total_tokens
        from staged_reported
    {%- endfor %}

),

placed_totals as (

    {%- for column in token_columns %}
        {%- if not loop.first %}
            union all
        {%- endif %}
        select
            '{{ column }}' as concept,
            coalesce(sum({{ column }}), 0) as total_tokens
        from placed_rows
    {%- endfor %}

),

concept_breaks as (

    select
        {{ dbt.concat(["'concept total '", 'staged_totals.concept']) }} as broken_identity,
        cast(null as {{ dbt.type_string() }}) as call_id,
        staged_totals.total_tokens as staged_tokens,
        placed_totals.total_tokens as placed_tokens
    from staged_totals
    inner join placed_totals
        on staged_totals.concept = placed_totals.concept
    where staged_totals.total_tokens <> placed_totals.total_tokens

),

{# ---- (2) the partition of every billable call ---- #}
partition_breaks as (

    select
        'partition sum' as broken_identity,
        call_id,
        cast(null as {{ dbt.type_bigint() }}) as staged_tokens,
        cast(null as {{ dbt.type_bigint() }}) as placed_tokens
    from llm_calls
    where
        input_total_tokens <> input_uncached_tokens + cache_read_tokens + cache_write_5m_tokens + cache_write_1h_tokens
        or input_uncached_tokens < 0

    union all

    select
        'reasoning exceeds output' as broken_identity,
        call_id,
        cast(null as {{ dbt.type_bigint() }}) as staged_tokens,
        cast(null as {{ dbt.type_bigint() }}) as placed_tokens
    from llm_calls
    where reasoning_tokens > output_tokens

),

final as (

    select * from concept_breaks

    union all

    select * from partition_breaks

)

select * from final
