{#- Conservation of rows: every raw span occurrence appears exactly once across billable calls, the audit
    (wrappers + duplicates), the quarantine and the non-model spans. Returns the offending
    occurrences with their counts. -#}

with

raw_spans as (

    select {{ otel_span_occurrence_id('source_spans') }} as span_occurrence_id
    from {{ source('otel', 'otel_spans') }} as source_spans

),

placed as (

    select {{ otel_span_occurrence_id('calls') }} as span_occurrence_id
    from {{ ref('int_llm_calls') }} as calls

    union all

    select span_occurrence_id
    from {{ ref('int_llm_call_audit') }}

    union all

    select span_occurrence_id
    from {{ ref('int_otel_spans_quarantined') }}

    union all

    select span_occurrence_id
    from {{ ref('int_otel_spans_classified') }}
    where disposition = 'non_model'

),

{# One aggregate over the raw keys and the placements together (a raw row counts 1 in raw_count, a placement 1
    in placement_count) instead of two joins: the same offenders, one hash table. raw_count 0 is a placement of no
    raw span; raw_count above 1 a raw key loaded twice. #}
counted as (

    select
        span_occurrence_id,
        sum(raw_row) as raw_count,
        sum(1 - raw_row) as placement_count
    from (
        select
            span_occurrence_id,
            1 as raw_row
        from raw_spans

        union all

        select
            span_occurrence_id,
            0 as raw_row
        from placed
    ) as keyed
    group by span_occurrence_id

),

final as (

    select * from counted
    where raw_count <> 1 or placement_count <> 1

)

select * from final
