with source as (
    select * from {{ source('app', 'app_plans') }}
),

final as (
    select
        cast(plan_id as {{ dbt.type_string() }}) as plan_id,
        cast(plan_name as {{ dbt.type_string() }}) as plan_name,
        {{ try_cast('seat_price_usd', 'decimal(38, 12)') }} as seat_price_usd,
        {{ try_cast('included_ai_quota_usd', 'decimal(38, 12)') }} as included_ai_quota_usd,
        {{ try_cast('monthly_platform_fee_usd', 'decimal(38, 12)') }} as monthly_platform_fee_usd,
        {{ try_cast('target_gross_margin_pct', 'decimal(38, 12)') }} as target_gross_margin_pct
    from source
)

select * from final
