{# Customer quota and margin watch: fct_customer_margin_monthly up to the as-of date, with the month-end forecast of
    AI cost (the run-rate arithmetic of fct_spend_forecast_monthly) against the plan's included AI quota (list price)
    and the forecast gross margin against the plan's target. #}
with

margin as (

    select * from {{ ref('fct_customer_margin_monthly') }}

),

as_of as (

    select {{ optimize_as_of_date(ref('fct_llm_calls')) }} as as_of_date

),

accounts_months as (

    select
        margin.*,
        as_of.as_of_date,
        cast({{ dbt.dateadd('day', -1, dbt.dateadd('month', 1, 'margin.revenue_month')) }} as date)
            as month_end_date
    from margin
    cross join as_of
    where
        margin.account_kind = 'account'
        and margin.revenue_month <= as_of.as_of_date

),

elapsed as (

    select
        accounts_months.*,
        case
            when accounts_months.as_of_date < accounts_months.month_end_date then accounts_months.as_of_date
            else accounts_months.month_end_date
        end as elapsed_end_date
    from accounts_months

),

forecast as (

    select
        elapsed.*,
        {{ dbt.datediff('revenue_month', 'month_end_date', 'day') }} + 1 as days_in_month, -- noqa: LT05
        {{ dbt.datediff('revenue_month', 'elapsed_end_date', 'day') }} + 1 as elapsed_days -- noqa: LT05
    from elapsed

),

final as (

    select
        revenue_month,
        account_id,
        plan_id,
        as_of_date,
        cast(elapsed_days as integer) as elapsed_days,
        cast(days_in_month as integer) as days_in_month,
        cast(ai_list_cost_usd as decimal(38, 12)) as ai_list_cost_to_date_usd,
        {{ divide('ai_list_cost_usd * days_in_month', 'elapsed_days') }} as ai_list_cost_forecast_usd,
        {{ divide('ai_net_cost_usd * days_in_month', 'elapsed_days') }} as ai_net_cost_forecast_usd,
        cast(included_ai_quota_usd as decimal(38, 12)) as included_ai_quota_usd,
        cast(revenue_usd as decimal(38, 12)) as revenue_usd,
        cast(target_gross_margin_pct as decimal(38, 12)) as target_gross_margin_pct,
        cast(
            100
            * (revenue_usd - {{ divide('ai_net_cost_usd * days_in_month', 'elapsed_days') }})
            / nullif(revenue_usd, 0)
            as decimal(38, 12)
        ) as forecast_gross_margin_pct,
        case
            when included_ai_quota_usd is null then 'no_quota'
            when ai_list_cost_usd > included_ai_quota_usd then 'over'
            when
                {{ divide('ai_list_cost_usd * days_in_month', 'elapsed_days') }}
                > {{ var('budget_at_risk_forecast_share') }} * included_ai_quota_usd
                then 'at_risk'
            else 'ok'
        end as quota_status,
        is_below_target_margin as is_below_target_margin_to_date,
        coalesce(
            100
            * (revenue_usd - {{ divide('ai_net_cost_usd * days_in_month', 'elapsed_days') }})
            / nullif(revenue_usd, 0)
            < target_gross_margin_pct,
            false
        ) as is_forecast_below_target_margin
    from forecast

)

select * from final
