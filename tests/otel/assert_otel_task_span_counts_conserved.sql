{#- Conservation of tasks: the task rows' span counts add up to the first deliveries of spans with a trace and span
    id, so every such span is counted in exactly one task row. Reads both tables whole on every run: an incremental
    int_llm_tasks that leaves a task's old row behind (its first_trace_date moved), or keeps counting spans that now
    belong to another task, counts spans twice; a lost task counts too few (docs/incremental.md). Totals rather than
    a per-task comparison: regrouping 10M spans by task took 29 s at 10M spans, the totals one scan of each table.
    Returns one row with both totals when they differ. -#}

with

spans as (

    select cast(count(*) as bigint) as span_count
    from {{ ref('int_otel_spans_classified') }}
    where
        occurrence_number = 1
        and trace_id is not null
        and span_id is not null

),

tasks as (

    select
        cast(coalesce(sum(span_count), 0) as bigint) as span_count,
        cast(count(*) as bigint) as task_rows
    from {{ ref('int_llm_tasks') }}

)

select
    spans.span_count as expected_span_count,
    tasks.span_count as task_span_count,
    tasks.task_rows
from spans
cross join tasks
where spans.span_count <> tasks.span_count
