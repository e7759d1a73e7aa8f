{{ config(**incremental_by_date('first_trace_date')) }}
{#- One row per task: the explicit task id attribute (app.task_id by default, seed otel_attribute_keys) or else the
    trace id. Outcome from the configurable outcome attribute on the root span, else from the root span status.

    Incremental by first_trace_date, the earliest trace date of the task's spans (docs/incremental.md). A task keyed
    by its trace lies in one trace date; a task with an explicit id may span several. Every task with a span in the
    window is rebuilt from all its spans, so the batch starts at the earliest trace date of those tasks (batch_start,
    at most the window start) and holds every task whose spans all lie from there on. -#}
{%- set task_span_filter = 'occurrence_number = 1 and trace_id is not null and span_id is not null' -%}
{%- set window = incremental_window('first_trace_date', upstream_column='trace_date') -%}
{%- set batch = {'start': window.start} -%}
{%- if window.start is not none -%}
    {%- set classified_relation = ref('int_otel_spans_classified') -%}
    {%- set window_start = "cast('" ~ window.start ~ "' as date)" -%}
    {%- set earliest_touched = incremental_query_date(
        "select min(earlier.trace_date) from " ~ classified_relation ~ " as earlier"
        ~ " where " ~ task_span_filter ~ " and trace_date < " ~ window_start
        ~ " and coalesce(task_id, trace_id) in (select coalesce(touched.task_id, touched.trace_id) from "
        ~ classified_relation ~ " as touched where " ~ task_span_filter ~ " and touched.trace_date >= " ~ window_start ~ ")"
    ) -%}
    {%- if earliest_touched is not none -%}
        {%- do batch.update({'start': earliest_touched}) -%}
    {%- endif -%}
    {%- do log('int_llm_tasks batch: first_trace_date >= ' ~ batch.start, info=false) -%}
{%- endif %}

with

classified as (

    {{ select_incremental_parent(ref('int_otel_spans_classified'), batch) }}

),

calls as (

    {{ select_incremental_parent(ref('int_llm_calls'), batch) }}

),

batch_spans as (

    select
        coalesce(task_id, trace_id) as task_id,
        trace_id,
        span_id,
        parent_span_id,
        span_name,
        status,
        task_outcome,
        feature_id,
        customer_id,
        environment,
        disposition,
        started_at,
        ended_at,
        trace_date
    from classified
    where {{ task_span_filter }}

),

{# Tasks that also have spans before the batch start belong to an earlier first_trace_date: not rebuilt. #}
earlier_tasks as (

    select distinct coalesce(task_id, trace_id) as task_id
    from {{ ref('int_otel_spans_classified') }}
    where
        {% if batch.start is none -%}
            1 = 0
        {%- else -%}
            trace_date < cast('{{ batch.start }}' as date)
            and {{ task_span_filter }}
            and coalesce(task_id, trace_id) in (select batch_keys.task_id from batch_spans as batch_keys)
        {%- endif %}

),

task_spans as (

    select batch_spans.*
    from batch_spans
    left outer join earlier_tasks
        on batch_spans.task_id = earlier_tasks.task_id
    where earlier_tasks.task_id is null

),

{# The root of a task is its earliest span without a parent, or, in a task with none (its root was not exported),
    its earliest span. Only those candidates are ranked: the spans without a parent, plus every span of the few tasks
    that have none, instead of sorting every span. #}
parentless_tasks as (

    select distinct task_id
    from task_spans
    where parent_span_id is null

),

root_candidates as (

    select task_spans.*
    from task_spans
    where task_spans.parent_span_id is null

    union all

    select task_spans.*
    from task_spans
    left outer join parentless_tasks
        on task_spans.task_id = parentless_tasks.task_id
    where parentless_tasks.task_id is null

),

roots as (

    select
        task_id,
        trace_id,
        span_id as root_span_id,
        span_name as root_span_name,
        status as root_status,
        task_outcome as root_task_outcome,
        feature_id,
        customer_id,
        environment
    from (
        select
            root_candidates.*,
            row_number() over (
                partition by root_candidates.task_id
                order by
                    case when root_candidates.parent_span_id is null then 0 else 1 end,
                    root_candidates.started_at,
                    root_candidates.span_id
            ) as root_rank
        from root_candidates
    ) as ranked
    where root_rank = 1

),

span_summary as (

    select
        task_id,
        count(distinct trace_id) as trace_count,
        min(trace_date) as first_trace_date,
        min(started_at) as started_at,
        max(ended_at) as ended_at,
        cast(count(*) as bigint) as span_count,
        sum(case when disposition = 'wrapper' then 1 else 0 end) as wrapper_span_count,
        sum(case when disposition = 'duplicate' then 1 else 0 end) as duplicate_span_count,
        sum(case when disposition = 'quarantine' then 1 else 0 end) as quarantined_span_count
    from task_spans
    group by task_id

),

call_summary as (

    select
        task_id,
        count(*) as billable_span_count,
        count(distinct attempt_group_id) as logical_call_count,
        sum(case when is_retry then 1 else 0 end) as retry_count,
        sum(case when is_fallback then 1 else 0 end) as fallback_count,
        sum(case when is_error then 1 else 0 end) as error_call_count,
        cast(sum(input_total_tokens) as bigint) as input_total_tokens,
        cast(sum(output_tokens) as bigint) as output_tokens
    from calls
    group by task_id

),

final as (

    select
        roots.task_id,
        roots.trace_id,
        roots.root_span_id,
        roots.root_span_name,
        span_summary.trace_count,
        span_summary.first_trace_date,
        span_summary.started_at,
        span_summary.ended_at,
        case
            when
                lower(roots.root_task_outcome) in ('success', 'failure', 'abandoned')
                then lower(roots.root_task_outcome)
            when roots.root_status = 'error' then 'failure'
            else 'success'
        end as outcome,
        case
            when lower(roots.root_task_outcome) in ('success', 'failure', 'abandoned') then 'attribute'
            else 'root_status'
        end as outcome_source,
        roots.feature_id,
        roots.customer_id,
        roots.environment,
        coalesce(call_summary.logical_call_count, 0) as logical_call_count,
        coalesce(call_summary.billable_span_count, 0) as attempt_count,
        coalesce(call_summary.retry_count, 0) as retry_count,
        coalesce(call_summary.fallback_count, 0) as fallback_count,
        coalesce(call_summary.error_call_count, 0) as error_call_count,
        coalesce(call_summary.billable_span_count, 0) as billable_span_count,
        span_summary.span_count,
        span_summary.wrapper_span_count,
        span_summary.duplicate_span_count,
        span_summary.quarantined_span_count,
        call_summary.input_total_tokens,
        call_summary.output_tokens,
        {{ incremental_metadata_columns(window) }}
    from roots
    inner join span_summary
        on roots.task_id = span_summary.task_id
    left outer join call_summary
        on roots.task_id = call_summary.task_id

)

select * from final
{{ incremental_cluster_order('first_trace_date', window) }}
