with plans as (
    select * from {{ ref('stg_app__plans') }}
),

final as (
    select
        plan_id,
        plan_name,
        seat_price_usd,
        included_ai_quota_usd,
        monthly_platform_fee_usd,
        target_gross_margin_pct
    from plans
)

select * from final
