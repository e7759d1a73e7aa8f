{# Budget burn: spend of the budget's scope from the period start to the as-of date (or the period end), and the
    run-rate forecast to the period end (burn / elapsed days x period days), the arithmetic of
    fct_spend_forecast_monthly. Status: over when burn exceeds the budget, at_risk when the forecast exceeds
    budget_at_risk_forecast_share of it, else ok. #}
with

budgets as (

    select * from {{ ref('budgets') }}

),

cost_daily as (

    select * from {{ ref('fct_llm_cost_daily') }}

),

as_of as (

    select {{ optimize_as_of_date(ref('fct_llm_calls')) }} as as_of_date

),

budget_days as (

    select
        budgets.*,
        as_of.as_of_date,
        case
            when as_of.as_of_date < budgets.period_end_date then as_of.as_of_date
            else budgets.period_end_date
        end as burn_end_date,
        {{ dbt.datediff('budgets.period_start_date', 'budgets.period_end_date', 'day') }} + 1 as period_days -- noqa: LT05
    from budgets
    cross join as_of

),

burn as (

    select
        budget_days.budget_id,
        sum(cost_daily.net_cost_usd) as burn_to_date_usd
    from budget_days
    inner join cost_daily
        on
            budget_days.period_start_date <= cost_daily.usage_date
            and budget_days.burn_end_date >= cost_daily.usage_date
            and (
                (budget_days.scope_type = 'team' and budget_days.scope_id = cost_daily.team_id)
                or (budget_days.scope_type = 'feature' and budget_days.scope_id = cost_daily.feature_id)
                or (budget_days.scope_type = 'customer' and budget_days.scope_id = cost_daily.customer_id)
            )
    group by budget_days.budget_id

),

measured as (

    select
        budget_days.budget_id,
        budget_days.scope_type,
        budget_days.scope_id,
        budget_days.period_start_date,
        budget_days.period_end_date,
        budget_days.as_of_date,
        budget_days.period_days,
        case
            when budget_days.burn_end_date < budget_days.period_start_date then 0
            else {{ dbt.datediff('budget_days.period_start_date', 'budget_days.burn_end_date', 'day') }} + 1 -- noqa: LT05
        end as elapsed_days,
        budget_days.budget_usd,
        coalesce(burn.burn_to_date_usd, 0) as burn_to_date_usd
    from budget_days
    left join burn
        on budget_days.budget_id = burn.budget_id

),

forecast as (

    select
        measured.*,
        case
            when measured.elapsed_days = 0 then 0
            else {{ divide('measured.burn_to_date_usd * measured.period_days', 'measured.elapsed_days') }}
        end as forecast_period_end_usd
    from measured

),

final as (

    select
        budget_id,
        scope_type,
        scope_id,
        period_start_date,
        period_end_date,
        as_of_date,
        cast(period_days as integer) as period_days,
        cast(elapsed_days as integer) as elapsed_days,
        cast(budget_usd as decimal(38, 12)) as budget_usd,
        cast(burn_to_date_usd as decimal(38, 12)) as burn_to_date_usd,
        cast(forecast_period_end_usd as decimal(38, 12)) as forecast_period_end_usd,
        cast(burn_to_date_usd / nullif(budget_usd, 0) as decimal(38, 12)) as burn_share_of_budget,
        cast(forecast_period_end_usd / nullif(budget_usd, 0) as decimal(38, 12)) as forecast_share_of_budget,
        case
            when burn_to_date_usd > budget_usd then 'over'
            when forecast_period_end_usd > {{ var('budget_at_risk_forecast_share') }} * budget_usd then 'at_risk'
            else 'ok'
        end as budget_status
    from forecast

)

select * from final
