{#-
Which customers are below their plan's target gross margin, and by how much AI cost.

How to read it: one row per customer account and month where fct_customer_margin_monthly flags
`is_below_target_margin` (margin % under the plan's target, or AI cost with no revenue that month), worst first.
`margin_gap_pct_points` = target % - actual % (positive: how far below target). `ai_cost_budget_usd` is the AI net cost
the account could have had at exactly the target margin (revenue x (100 - target) / 100); `ai_cost_over_budget_usd`
is the AI cost above that budget, the amount to recover (price change, quota enforcement) or to cut (cheaper model).
`ai_quota_used_pct` over 100 means the account consumed more than its plan's included AI quota. The last rows list
AI cost no customer pays for (unknown customer ids and the `unallocated` member) for context; they have no target.
Optional var `margin_month` (YYYY-MM-01) restricts to one month.
-#}
{%- set margin_month = var('margin_month', none) -%}

with margin as (
    select * from {{ ref('fct_customer_margin_monthly') }}
    {%- if margin_month %}
    where revenue_month = cast('{{ margin_month }}' as date)
    {%- endif %}
),

below_target as (
    select
        revenue_month,
        account_id,
        account_name,
        plan_name,
        segment,
        revenue_usd,
        ai_net_cost_usd,
        ai_quota_used_pct,
        gross_margin_pct,
        target_gross_margin_pct,
        target_gross_margin_pct - gross_margin_pct as margin_gap_pct_points,
        cast(revenue_usd * (100 - target_gross_margin_pct) / 100 as decimal(38, 12)) as ai_cost_budget_usd,
        cast(ai_net_cost_usd - revenue_usd * (100 - target_gross_margin_pct) / 100 as decimal(38, 12))
            as ai_cost_over_budget_usd,
        0 as sort_group
    from margin
    where is_below_target_margin
),

cost_without_customer as (
    select
        revenue_month,
        account_id,
        account_kind as account_name,
        cast(null as {{ dbt.type_string() }}) as plan_name,
        cast(null as {{ dbt.type_string() }}) as segment,
        revenue_usd,
        ai_net_cost_usd,
        ai_quota_used_pct,
        gross_margin_pct,
        target_gross_margin_pct,
        cast(null as decimal(38, 12)) as margin_gap_pct_points,
        cast(null as decimal(38, 12)) as ai_cost_budget_usd,
        ai_net_cost_usd as ai_cost_over_budget_usd,
        1 as sort_group
    from margin
    where
        account_kind <> 'account'
        and ai_net_cost_usd > 0
),

final as (
    select * from below_target
    union all
    select * from cost_without_customer
)

select * from final
order by sort_group asc, ai_cost_over_budget_usd desc, revenue_month asc, account_id asc
