{#- Conservation of rows: every raw span occurrence appears exactly once across billable calls, the audit
    (wrappers + duplicates), the quarantine and the non-model spans. Returns the offending occurrences. -#}

with

raw_spans as (

    select {{ otel_span_occurrence_id('source_spans') }} as span_occurrence_id
    from {{ source('otel', 'otel_spans') }} as source_spans

),

placed as (

    select
        {{ otel_span_occurrence_id('calls') }} as span_occurrence_id,
        'billable_call' as placed_in
    from {{ ref('int_llm_calls') }} as calls

    union all

    select
        span_occurrence_id,
        'audit' as placed_in
    from {{ ref('int_llm_call_audit') }}

    union all

    select
        span_occurrence_id,
        'quarantine' as placed_in
    from {{ ref('int_otel_spans_quarantined') }}

    union all

    select
        span_occurrence_id,
        'non_model' as placed_in
    from {{ ref('int_otel_spans_classified') }}
    where disposition = 'non_model'

),

placement_counts as (

    select
        raw_spans.span_occurrence_id,
        count(placed.placed_in) as placement_count
    from raw_spans
    left outer join placed
        on raw_spans.span_occurrence_id = placed.span_occurrence_id
    group by raw_spans.span_occurrence_id

),

unknown_placements as (

    select
        placed.span_occurrence_id,
        -1 as placement_count
    from placed
    left outer join raw_spans
        on placed.span_occurrence_id = raw_spans.span_occurrence_id
    where raw_spans.span_occurrence_id is null

),

final as (

    select * from placement_counts
    where placement_count <> 1

    union all

    select * from unknown_placements

)

select * from final
