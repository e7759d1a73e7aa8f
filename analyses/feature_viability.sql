{#-
Which features are economically viable at current usage.

How to read it: one row per feature for the current month (the latest month with tasks; var `viability_month`,
YYYY-MM-01, picks another). Unit economics from fct_tasks: tasks, successful tasks, success rate, net AI cost of all
the feature's tasks, `cost_per_successful_task_usd` (failed and abandoned tasks and retries included: the price of
one success) and `waste_usd` (cost of tasks that did not succeed + retries inside successful ones) with its share.
Margin impact from fct_llm_cost_daily and fct_customer_margin_monthly: `customer_cost_usd` is the feature's cost on
customer traffic, `cost_at_below_target_customers_usd` the part spent on accounts already below their plan's target
gross margin that month.
`verdict`: `no_success` (cost but not one successful task), `above_cost_ceiling` (cost per successful task above the
optional var `viability_max_cost_per_successful_task_usd`; unset = no ceiling), `erodes_margin` (part of its customer
cost lands on below-target accounts), else `viable`. No threshold is hard-wired: targets come from the plans table.
-#}
{%- set viability_month = var('viability_month', none) -%}
{%- set chosen_month = "cast('" ~ viability_month ~ "' as date)" if viability_month else "cast(null as date)" -%}
{%- set max_cost_per_success = var('viability_max_cost_per_successful_task_usd', none) -%}

with tasks as (
    select * from {{ ref('fct_tasks') }}
),

cost_daily as (
    select * from {{ ref('fct_llm_cost_daily') }}
),

margin as (
    select * from {{ ref('fct_customer_margin_monthly') }}
),

features as (
    select * from {{ ref('dim_features') }}
),

current_month as (
    select
        coalesce(
            {{ chosen_month }},
            max(cast({{ dbt.date_trunc('month', 'task_date') }} as date))
        ) as month_start
    from tasks
),

task_economics as (
    select
        tasks.feature_id,
        count(*) as tasks,
        sum(case when tasks.is_successful then 1 else 0 end) as successful_tasks,
        sum(tasks.net_cost_usd) as net_cost_usd,
        sum(case when tasks.is_successful then tasks.retry_cost_usd else tasks.net_cost_usd end) as waste_usd
    from tasks
    inner join current_month
        on cast({{ dbt.date_trunc('month', 'tasks.task_date') }} as date) = current_month.month_start
    group by tasks.feature_id
),

customer_cost as (
    select
        cost_daily.feature_id,
        sum(cost_daily.net_cost_usd) as customer_cost_usd,
        sum(case when margin.is_below_target_margin then cost_daily.net_cost_usd else 0 end)
            as cost_at_below_target_customers_usd
    from cost_daily
    inner join current_month
        on cast({{ dbt.date_trunc('month', 'cost_daily.usage_date') }} as date) = current_month.month_start
    inner join margin
        on
            cost_daily.customer_id = margin.account_id
            and current_month.month_start = margin.revenue_month
    where margin.account_kind = 'account'
    group by cost_daily.feature_id
),

final as (
    select
        task_economics.feature_id,
        features.feature_name,
        features.team_id,
        current_month.month_start as viability_month,
        task_economics.tasks,
        task_economics.successful_tasks,
        100.0 * task_economics.successful_tasks / nullif(task_economics.tasks, 0) as success_rate_pct,
        task_economics.net_cost_usd,
        task_economics.net_cost_usd / nullif(task_economics.successful_tasks, 0) as cost_per_successful_task_usd,
        task_economics.waste_usd,
        100 * task_economics.waste_usd / nullif(task_economics.net_cost_usd, 0) as waste_pct,
        coalesce(customer_cost.customer_cost_usd, 0) as customer_cost_usd,
        coalesce(customer_cost.cost_at_below_target_customers_usd, 0) as cost_at_below_target_customers_usd,
        case
            when task_economics.successful_tasks = 0 and task_economics.net_cost_usd > 0 then 'no_success'
            {%- if max_cost_per_success is not none %}
            when task_economics.net_cost_usd / nullif(task_economics.successful_tasks, 0)
                > {{ max_cost_per_success }} then 'above_cost_ceiling'
            {%- endif %}
            when coalesce(customer_cost.cost_at_below_target_customers_usd, 0) > 0 then 'erodes_margin'
            else 'viable'
        end as verdict
    from task_economics
    cross join current_month
    left outer join features
        on task_economics.feature_id = features.feature_id
    left outer join customer_cost
        on task_economics.feature_id = customer_cost.feature_id
)

select * from final
order by cost_per_successful_task_usd desc
