with tasks as (
    select * from {{ ref('int_llm_tasks') }}
),

calls as (
    select * from {{ ref('int_llm_calls_attributed') }}
),

features as (
    select * from {{ ref('stg_app__features') }}
),

feature_owners as (
    select * from {{ ref('feature_owners') }}
),

task_costs as (
    select
        task_id,
        cast(sum(total_tokens) as bigint) as total_tokens,
        cast(sum(coalesce(list_cost_usd, 0)) as decimal(38, 12)) as list_cost_usd,
        cast(sum(coalesce(net_cost_usd, 0)) as decimal(38, 12)) as net_cost_usd,
        cast(sum(case when is_error then coalesce(net_cost_usd, 0) else 0 end) as decimal(38, 12))
            as failed_attempt_cost_usd,
        cast(sum(case when is_retry then coalesce(net_cost_usd, 0) else 0 end) as decimal(38, 12)) as retry_cost_usd,
        cast(sum(case when pricing_status = 'priced' then 0 else 1 end) as bigint) as unpriced_calls
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
        coalesce(tasks.environment, 'unknown') as environment,
        coalesce(feature_owners.team_id, features.team_id, 'unallocated') as team_id,
        tasks.outcome,
        tasks.outcome = 'success' as is_successful,
        cast(tasks.logical_call_count as bigint) as logical_calls,
        cast(tasks.attempt_count as bigint) as attempts,
        cast(tasks.retry_count as bigint) as retries,
        cast(tasks.fallback_count as bigint) as fallbacks,
        cast(tasks.billable_span_count as bigint) as billable_calls,
        cast(coalesce(task_costs.unpriced_calls, 0) as bigint) as unpriced_calls,
        cast(coalesce(task_costs.total_tokens, 0) as bigint) as total_tokens,
        cast(coalesce(task_costs.list_cost_usd, 0) as decimal(38, 12)) as list_cost_usd,
        cast(coalesce(task_costs.net_cost_usd, 0) as decimal(38, 12)) as net_cost_usd,
        cast(coalesce(task_costs.failed_attempt_cost_usd, 0) as decimal(38, 12)) as failed_attempt_cost_usd,
        cast(coalesce(task_costs.retry_cost_usd, 0) as decimal(38, 12)) as retry_cost_usd,
        cast(
            {{ dbt.datediff('tasks.started_at', 'tasks.ended_at', 'millisecond') }} as bigint -- noqa: LT05
        ) as latency_ms
    from tasks
    left outer join task_costs
        on tasks.task_id = task_costs.task_id
    left outer join feature_owners
        on tasks.feature_id = feature_owners.feature_id
    left outer join features
        on tasks.feature_id = features.feature_id
)

select * from final
