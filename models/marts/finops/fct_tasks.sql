-- TEMPORARY PLACEHOLDER (branch `margin` only): the real fct_tasks comes from `marts`. Same columns as agreed.
with tasks as (
    select * from {{ ref('int_llm_tasks') }}
),

calls as (
    select * from {{ ref('int_llm_calls_priced') }}
),

call_costs as (
    select
        task_id,
        cast(sum(coalesce(input_total_tokens, 0) + coalesce(output_tokens, 0)) as bigint) as total_tokens,
        cast(sum(coalesce(list_cost_usd, 0)) as decimal(38, 12)) as list_cost_usd,
        cast(sum(coalesce(net_cost_usd, 0)) as decimal(38, 12)) as net_cost_usd,
        cast(sum(case when is_retry then coalesce(net_cost_usd, 0) else 0 end) as decimal(38, 12)) as retry_cost_usd,
        sum(latency_ms) as latency_ms
    from calls
    group by task_id
),

final as (
    select
        tasks.task_id,
        tasks.trace_id,
        tasks.started_at as task_started_at,
        cast(tasks.started_at as date) as task_date,
        coalesce(tasks.feature_id, 'unallocated') as feature_id,
        coalesce(tasks.customer_id, 'unallocated') as customer_id,
        tasks.environment,
        cast('unallocated' as {{ dbt.type_string() }}) as team_id,
        tasks.outcome,
        tasks.outcome = 'success' as is_successful,
        cast(tasks.logical_call_count as bigint) as logical_calls,
        cast(tasks.attempt_count as bigint) as attempts,
        cast(tasks.retry_count as bigint) as retries,
        cast(tasks.fallback_count as bigint) as fallbacks,
        cast(tasks.billable_span_count as bigint) as billable_calls,
        coalesce(call_costs.total_tokens, 0) as total_tokens,
        coalesce(call_costs.list_cost_usd, 0) as list_cost_usd,
        coalesce(call_costs.net_cost_usd, 0) as net_cost_usd,
        cast(
            case when tasks.outcome = 'success' then 0 else coalesce(call_costs.net_cost_usd, 0) end
            as decimal(38, 12)
        ) as failed_attempt_cost_usd,
        coalesce(call_costs.retry_cost_usd, 0) as retry_cost_usd,
        call_costs.latency_ms
    from tasks
    left outer join call_costs
        on tasks.task_id = call_costs.task_id
)

select * from final
