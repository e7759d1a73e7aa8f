{{ config(**incremental_by_date('trace_date')) }}
{%- set window = incremental_window('trace_date') %}

{# One row per raw span occurrence with exactly one disposition:
    quarantine > duplicate (redelivery) > wrapper (agent_aggregate / sdk_outer_span / framework_wrapper)
    > duplicate (same_response_id) > billable_call > non_model. #}

with

enriched as (

    {{ select_incremental_parent(ref('int_otel_spans_enriched'), window) }}

),

model_calls as (

    select
        trace_id,
        span_id,
        started_at,
        response_id,
        nearest_model_call_ancestor_span_id,
        nearest_wrapper_ancestor_span_id,
        case when cache_read_reported_tokens is not null then 1 else 0 end
        + case when cache_write_reported_tokens is not null then 1 else 0 end
        + case when reasoning_reported_tokens is not null then 1 else 0 end
        + case when input_reported_tokens is not null then 1 else 0 end
        + case when output_reported_tokens is not null then 1 else 0 end as usage_specificity
    -- Read from the table, not the enriched CTE: PostgreSQL estimates a filtered CTE scan at one row and then
    -- plans nested loops over hundreds of thousands of calls.
    from {{ ref('int_otel_spans_enriched') }}
    where
        {{ incremental_window_filter('trace_date', window) }}
        and occurrence_number = 1
        and parse_problem is null
        and bad_token_concept is null
        and span_role = 'model_call'

),

{# A model-call span with a model-call descendant is a framework wrapper; its pointer is its first nested call. #}
framework_wrappers as (

    select
        trace_id,
        wrapper_span_id,
        child_span_id
    from (
        select
            trace_id,
            nearest_model_call_ancestor_span_id as wrapper_span_id,
            span_id as child_span_id,
            row_number() over (
                partition by trace_id, nearest_model_call_ancestor_span_id
                order by started_at, span_id
            ) as child_rank
        from model_calls
        where nearest_model_call_ancestor_span_id is not null
    ) as ranked
    where child_rank = 1

),

leaf_calls as (

    select model_calls.*
    from model_calls
    left outer join framework_wrappers
        on
            model_calls.trace_id = framework_wrappers.trace_id
            and model_calls.span_id = framework_wrappers.wrapper_span_id
    where framework_wrappers.wrapper_span_id is null

),

{# Agent / workflow / SDK outer spans point to the first leaf call nested under them. #}
aggregate_wrappers as (

    select
        trace_id,
        wrapper_span_id,
        child_span_id
    from (
        select
            trace_id,
            nearest_wrapper_ancestor_span_id as wrapper_span_id,
            span_id as child_span_id,
            row_number() over (
                partition by trace_id, nearest_wrapper_ancestor_span_id
                order by started_at, span_id
            ) as child_rank
        from leaf_calls
        where nearest_wrapper_ancestor_span_id is not null
    ) as ranked
    where child_rank = 1

),

{# Leaf calls sharing a response id in a trace are one call: the earliest (then most specific) one is kept. #}
response_ranked as (

    select
        trace_id,
        span_id,
        first_value(span_id) over (
            partition by trace_id, response_id
            order by started_at asc, usage_specificity desc, span_id asc
        ) as kept_span_id,
        row_number() over (
            partition by trace_id, response_id
            order by started_at asc, usage_specificity desc, span_id asc
        ) as response_rank
    from leaf_calls
    where response_id is not null

),

classified as (

    select
        enriched.*,
        case
            when enriched.parse_problem is not null or enriched.bad_token_concept is not null then 'quarantine'
            when enriched.is_redelivery then 'duplicate'
            when enriched.span_role = 'wrapper' and enriched.usage_status <> 'missing' then 'wrapper'
            when framework_wrappers.wrapper_span_id is not null then 'wrapper'
            when response_ranked.response_rank > 1 then 'duplicate'
            when enriched.span_role = 'model_call' then 'billable_call'
            else 'non_model'
        end as disposition,
        case
            when enriched.parse_problem is not null then enriched.parse_problem
            when enriched.bad_token_concept is not null then 'bad_token_value'
            when enriched.is_redelivery then 'redelivery'
            when enriched.span_role = 'wrapper' and enriched.usage_status <> 'missing' then enriched.wrapper_reason
            when framework_wrappers.wrapper_span_id is not null then 'framework_wrapper'
            when response_ranked.response_rank > 1 then 'same_response_id'
        end as disposition_reason,
        case
            when enriched.parse_problem is not null or enriched.bad_token_concept is not null then null
            when enriched.is_redelivery then enriched.span_id
            when
                enriched.span_role = 'wrapper' and enriched.usage_status <> 'missing'
                then aggregate_wrappers.child_span_id
            when framework_wrappers.wrapper_span_id is not null then framework_wrappers.child_span_id
            when response_ranked.response_rank > 1 then response_ranked.kept_span_id
        end as duplicate_of_span_id
    from enriched
    left outer join framework_wrappers
        on
            enriched.trace_id = framework_wrappers.trace_id
            and enriched.span_id = framework_wrappers.wrapper_span_id
            and enriched.occurrence_number = 1
    left outer join aggregate_wrappers
        on
            enriched.trace_id = aggregate_wrappers.trace_id
            and enriched.span_id = aggregate_wrappers.wrapper_span_id
    left outer join response_ranked
        on
            enriched.trace_id = response_ranked.trace_id
            and enriched.span_id = response_ranked.span_id
            and enriched.occurrence_number = 1

),

final as (

    select
        classified.*,
        {{ incremental_metadata_columns(window) }}
    from classified

)

select * from final
{#- No sort (incremental_cluster_order): the rows stream through hash joins probed by int_otel_spans_enriched's rows,
    which a full build stores in date order, and keep their row groups' dates (docs/incremental.md). #}
