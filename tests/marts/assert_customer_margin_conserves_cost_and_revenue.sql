-- fct_customer_margin_monthly loses and duplicates nothing: per month, its AI list and net cost and its calls equal
-- those of every billable call (int_llm_calls_priced, whatever its customer), and its revenue equals the
-- subscriptions' mrr. Returns the months that differ.
with

margin as (

    select
        revenue_month,
        sum(ai_calls) as ai_calls,
        sum(ai_list_cost_usd) as ai_list_cost_usd,
        sum(ai_net_cost_usd) as ai_net_cost_usd,
        sum(revenue_usd) as revenue_usd
    from {{ ref('fct_customer_margin_monthly') }}
    group by revenue_month

),

calls as (

    select
        cast({{ dbt.date_trunc('month', 'call_date') }} as date) as revenue_month,
        count(*) as ai_calls,
        sum(coalesce(list_cost_usd, 0)) as ai_list_cost_usd,
        sum(coalesce(net_cost_usd, 0)) as ai_net_cost_usd
    from {{ ref('int_llm_calls_priced') }}
    group by cast({{ dbt.date_trunc('month', 'call_date') }} as date)

),

subscriptions as (

    select
        revenue_month,
        sum(mrr_usd) as revenue_usd
    from {{ ref('stg_app__subscriptions') }}
    group by revenue_month

),

months as (

    select revenue_month from margin
    union all
    select revenue_month from calls
    union all
    select revenue_month from subscriptions

)

select distinct
    months.revenue_month,
    margin.ai_list_cost_usd,
    calls.ai_list_cost_usd as calls_list_cost_usd,
    margin.revenue_usd,
    subscriptions.revenue_usd as subscriptions_revenue_usd
from months
left outer join margin
    on months.revenue_month = margin.revenue_month
left outer join calls
    on months.revenue_month = calls.revenue_month
left outer join subscriptions
    on months.revenue_month = subscriptions.revenue_month
where
    coalesce(margin.ai_calls, 0) <> coalesce(calls.ai_calls, 0)
    or coalesce(margin.ai_list_cost_usd, 0) <> coalesce(calls.ai_list_cost_usd, 0)
    or coalesce(margin.ai_net_cost_usd, 0) <> coalesce(calls.ai_net_cost_usd, 0)
    or coalesce(margin.revenue_usd, 0) <> coalesce(subscriptions.revenue_usd, 0)
