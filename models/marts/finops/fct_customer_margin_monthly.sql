with cost_daily as (
    select * from {{ ref('fct_llm_cost_daily') }}
),

subscriptions as (
    select * from {{ ref('stg_app__subscriptions') }}
),

accounts as (
    select * from {{ ref('dim_accounts') }}
),

plans as (
    select * from {{ ref('dim_plans') }}
),

usage_monthly as (
    -- AI usage of every environment, per customer and month; calls with no customer are already `unallocated`.
    select
        cast({{ dbt.date_trunc('month', 'usage_date') }} as date) as revenue_month,
        customer_id as account_id,
        cast(sum(calls) as bigint) as ai_calls,
        cast(sum(total_tokens) as bigint) as ai_total_tokens,
        cast(sum(list_cost_usd) as decimal(38, 12)) as ai_list_cost_usd,
        cast(sum(net_cost_usd) as decimal(38, 12)) as ai_net_cost_usd
    from cost_daily
    group by {{ dbt.date_trunc('month', 'usage_date') }}, customer_id
),

months as (
    select distinct revenue_month
    from (
        select revenue_month from subscriptions
        union all
        select revenue_month from usage_monthly
    ) as all_months
),

active_account_months as (
    -- Every known account in every reporting month it is active, so accounts with neither revenue nor AI usage in a
    -- month they were signed up for still get a row (unknown customers and `unallocated` only where they have usage).
    select
        months.revenue_month,
        accounts.account_id
    from accounts
    cross join months
    where
        accounts.is_known_account
        and (
            accounts.signed_up_date is null
            or accounts.signed_up_date < {{ dbt.dateadd('month', 1, 'months.revenue_month') }}
        )
        and (accounts.churned_date is null or accounts.churned_date > months.revenue_month)
),

account_months as (
    select distinct
        revenue_month,
        account_id
    from (
        select
            revenue_month,
            account_id
        from active_account_months
        union all
        select
            revenue_month,
            account_id
        from subscriptions
        union all
        select
            revenue_month,
            account_id
        from usage_monthly
    ) as all_account_months
),

joined as (
    select
        account_months.revenue_month,
        account_months.account_id,
        case
            when account_months.account_id = 'unallocated' then 'unallocated'
            when accounts.account_id is null or not accounts.is_known_account then 'unknown_customer'
            else 'account'
        end as account_kind,
        accounts.account_name,
        coalesce(subscriptions.plan_id, accounts.plan_id) as plan_id,
        accounts.segment,
        subscriptions.seats,
        subscriptions.account_id is not null as has_subscription,
        coalesce(subscriptions.mrr_usd, 0) as revenue_usd,
        coalesce(usage_monthly.ai_calls, 0) as ai_calls,
        coalesce(usage_monthly.ai_total_tokens, 0) as ai_total_tokens,
        coalesce(usage_monthly.ai_list_cost_usd, 0) as ai_list_cost_usd,
        coalesce(usage_monthly.ai_net_cost_usd, 0) as ai_net_cost_usd
    from account_months
    left outer join accounts
        on account_months.account_id = accounts.account_id
    left outer join subscriptions
        on
            account_months.account_id = subscriptions.account_id
            and account_months.revenue_month = subscriptions.revenue_month
    left outer join usage_monthly
        on
            account_months.account_id = usage_monthly.account_id
            and account_months.revenue_month = usage_monthly.revenue_month
),

with_plans as (
    select
        joined.*,
        plans.plan_name,
        case when joined.has_subscription then coalesce(plans.monthly_platform_fee_usd, 0) else 0 end
            as platform_fee_usd,
        plans.included_ai_quota_usd,
        plans.target_gross_margin_pct,
        joined.revenue_usd - joined.ai_net_cost_usd as gross_margin_usd
    from joined
    left outer join plans
        on joined.plan_id = plans.plan_id
),

final as (
    select
        cast(revenue_month as date) as revenue_month,
        cast(account_id as {{ dbt.type_string() }}) as account_id,
        cast(account_kind as {{ dbt.type_string() }}) as account_kind,
        cast(account_name as {{ dbt.type_string() }}) as account_name,
        cast(plan_id as {{ dbt.type_string() }}) as plan_id,
        cast(plan_name as {{ dbt.type_string() }}) as plan_name,
        cast(segment as {{ dbt.type_string() }}) as segment,
        cast(seats as integer) as seats,
        has_subscription,
        ai_calls > 0 as has_ai_usage,
        cast(revenue_usd as decimal(38, 12)) as revenue_usd,
        cast(platform_fee_usd as decimal(38, 12)) as platform_fee_usd,
        cast(revenue_usd - platform_fee_usd as decimal(38, 12)) as seat_revenue_usd,
        ai_calls,
        ai_total_tokens,
        cast(ai_list_cost_usd as decimal(38, 12)) as ai_list_cost_usd,
        cast(ai_net_cost_usd as decimal(38, 12)) as ai_net_cost_usd,
        cast(included_ai_quota_usd as decimal(38, 12)) as included_ai_quota_usd,
        cast(100 * ai_list_cost_usd / nullif(included_ai_quota_usd, 0) as decimal(38, 12)) as ai_quota_used_pct,
        cast(gross_margin_usd as decimal(38, 12)) as gross_margin_usd,
        cast(100 * gross_margin_usd / nullif(revenue_usd, 0) as decimal(38, 12)) as gross_margin_pct,
        cast(target_gross_margin_pct as decimal(38, 12)) as target_gross_margin_pct,
        case
            when target_gross_margin_pct is null then false
            when revenue_usd = 0 then ai_net_cost_usd > 0
            else 100 * gross_margin_usd / revenue_usd < target_gross_margin_pct
        end as is_below_target_margin
    from with_plans
)

select * from final
