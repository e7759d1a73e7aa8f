{# Month-end forecast from the month-to-date run rate: spend / elapsed days x days in the month. A month that ended
    before the as-of date is closed (forecast = actual). fct_budget_burn uses the same arithmetic over its periods. #}
with

cost_daily as (

    select * from {{ ref('fct_llm_cost_daily') }}

),

as_of as (

    select {{ optimize_as_of_date(ref('fct_llm_calls')) }} as as_of_date

),

monthly as (

    select
        cast({{ dbt.date_trunc('month', 'cost_daily.usage_date') }} as date) as spend_month,
        cost_daily.provider,
        cost_daily.feature_id,
        sum(cost_daily.calls) as month_to_date_calls,
        sum(cost_daily.net_cost_usd) as month_to_date_cost_usd
    from cost_daily
    cross join as_of
    where cost_daily.usage_date <= as_of.as_of_date
    group by 1, 2, 3

),

month_bounds as (

    select
        monthly.*,
        as_of.as_of_date,
        cast({{ dbt.dateadd('day', -1, dbt.dateadd('month', 1, 'monthly.spend_month')) }} as date) as month_end_date
    from monthly
    cross join as_of

),

elapsed as (

    select
        month_bounds.*,
        {{ dbt.datediff('spend_month', 'month_end_date', 'day') }} + 1 as days_in_month, -- noqa: LT05
        {{ dbt.datediff(
            'spend_month',
            'case when as_of_date < month_end_date then as_of_date else month_end_date end',
            'day'
        ) }} + 1 as elapsed_days
    from month_bounds

),

final as (

    select
        spend_month,
        provider,
        feature_id,
        as_of_date,
        month_end_date,
        cast(days_in_month as integer) as days_in_month,
        cast(elapsed_days as integer) as elapsed_days,
        elapsed_days = days_in_month as is_month_closed,
        cast(month_to_date_calls as {{ dbt.type_bigint() }}) as month_to_date_calls,
        cast(month_to_date_cost_usd as decimal(38, 12)) as month_to_date_cost_usd,
        {{ divide('month_to_date_cost_usd', 'elapsed_days') }} as run_rate_daily_usd,
        {{ divide('month_to_date_cost_usd * days_in_month', 'elapsed_days') }} as forecast_month_end_usd
    from elapsed

)

select * from final
