{#- Body of fct_feature_economics_daily / _monthly: one row per feature × period (`day` or `month`).
    Cost, calls and tokens are counted on the UTC date of each call; tasks on the UTC date their root span started.
    Waste = cost of the calls of tasks that did not succeed + cost of retry attempts of successful tasks (net basis). -#}
{% macro feature_economics(period) -%}
{%- if period == 'day' -%}
    {%- set call_period = 'calls.call_date' -%}
    {%- set task_period = 'task_date' -%}
    {%- set period_column = 'usage_date' -%}
{%- else -%}
    {%- set call_period = 'cast(' ~ dbt.date_trunc('month', 'calls.call_date') ~ ' as date)' -%}
    {%- set task_period = 'cast(' ~ dbt.date_trunc('month', 'task_date') ~ ' as date)' -%}
    {%- set period_column = 'usage_month' -%}
{%- endif -%}
with calls as (
    select * from {{ ref('fct_llm_calls') }}
),

tasks as (
    select * from {{ ref('fct_tasks') }}
),

calls_with_outcome as (
    select
        calls.feature_id,
        {{ call_period }} as period_start,
        calls.model_key,
        calls.is_retry,
        coalesce(tasks.is_successful, false) as is_task_successful,
        calls.input_total_tokens,
        calls.cache_read_tokens,
        calls.total_tokens,
        calls.list_cost_usd,
        calls.net_cost_usd
    from calls
    left outer join tasks
        on calls.task_id = tasks.task_id
),

call_totals as (
    select
        feature_id,
        period_start,
        cast(count(*) as bigint) as calls,
        cast(sum(total_tokens) as bigint) as total_tokens,
        cast(sum(coalesce(input_total_tokens, 0)) as bigint) as input_total_tokens,
        cast(sum(coalesce(cache_read_tokens, 0)) as bigint) as cache_read_tokens,
        cast(sum(list_cost_usd) as decimal(38, 12)) as list_cost_usd,
        cast(sum(net_cost_usd) as decimal(38, 12)) as net_cost_usd,
        cast(sum(case when not is_task_successful then net_cost_usd else 0 end) as decimal(38, 12))
            as failed_task_cost_usd,
        cast(sum(case when is_task_successful and is_retry then net_cost_usd else 0 end) as decimal(38, 12))
            as retry_cost_usd
    from calls_with_outcome
    group by feature_id, period_start
),

model_costs as (
    select
        feature_id,
        period_start,
        model_key,
        sum(net_cost_usd) as net_cost_usd,
        sum(list_cost_usd) as list_cost_usd
    from calls_with_outcome
    group by feature_id, period_start, model_key
),

top_models as (
    select
        feature_id,
        period_start,
        model_key,
        net_cost_usd
    from (
        select
            *,
            row_number() over (
                partition by feature_id, period_start
                order by net_cost_usd desc, list_cost_usd desc, model_key asc
            ) as model_rank
        from model_costs
    ) as ranked
    where model_rank = 1
),

task_totals as (
    select
        feature_id,
        {{ task_period }} as period_start,
        cast(count(*) as bigint) as tasks,
        cast(sum(case when is_successful then 1 else 0 end) as bigint) as successful_tasks,
        cast(sum(case when outcome = 'failure' then 1 else 0 end) as bigint) as failed_tasks,
        cast(sum(case when outcome = 'abandoned' then 1 else 0 end) as bigint) as abandoned_tasks
    from tasks
    group by feature_id, {{ task_period }}
),

periods as (
    select
        feature_id,
        period_start
    from call_totals
    union
    select
        feature_id,
        period_start
    from task_totals
),

final as (
    select
        periods.feature_id,
        periods.period_start as {{ period_column }},
        coalesce(call_totals.calls, 0) as calls,
        coalesce(task_totals.tasks, 0) as tasks,
        coalesce(task_totals.successful_tasks, 0) as successful_tasks,
        coalesce(task_totals.failed_tasks, 0) as failed_tasks,
        coalesce(task_totals.abandoned_tasks, 0) as abandoned_tasks,
        coalesce(call_totals.total_tokens, 0) as total_tokens,
        coalesce(call_totals.input_total_tokens, 0) as input_total_tokens,
        coalesce(call_totals.cache_read_tokens, 0) as cache_read_tokens,
        cast(coalesce(call_totals.list_cost_usd, 0) as decimal(38, 12)) as list_cost_usd,
        cast(coalesce(call_totals.net_cost_usd, 0) as decimal(38, 12)) as net_cost_usd,
        {{ divide('call_totals.net_cost_usd', 'task_totals.successful_tasks') }} as cost_per_successful_task_usd,
        {{ divide('call_totals.list_cost_usd', 'task_totals.successful_tasks') }} as list_cost_per_successful_task_usd,
        cast(coalesce(call_totals.failed_task_cost_usd, 0) + coalesce(call_totals.retry_cost_usd, 0) as decimal(38, 12))
            as waste_cost_usd,
        cast(coalesce(call_totals.failed_task_cost_usd, 0) as decimal(38, 12)) as failed_task_cost_usd,
        cast(coalesce(call_totals.retry_cost_usd, 0) as decimal(38, 12)) as retry_cost_usd,
        cast(
            cast(call_totals.cache_read_tokens as decimal(38, 12)) / nullif(call_totals.input_total_tokens, 0)
            as decimal(38, 12)
        ) as cache_hit_rate,
        top_models.model_key as top_model_key,
        cast(top_models.net_cost_usd / nullif(call_totals.net_cost_usd, 0) as decimal(38, 12)) as top_model_cost_share
    from periods
    left outer join call_totals
        on periods.feature_id = call_totals.feature_id and periods.period_start = call_totals.period_start
    left outer join task_totals
        on periods.feature_id = task_totals.feature_id and periods.period_start = task_totals.period_start
    left outer join top_models
        on periods.feature_id = top_models.feature_id and periods.period_start = top_models.period_start
)

select * from final
{%- endmacro %}
