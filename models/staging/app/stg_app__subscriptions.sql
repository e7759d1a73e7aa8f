with source as (
    select * from {{ source('app', 'app_subscriptions') }}
),

final as (
    select
        cast(account_id as {{ dbt.type_string() }}) as account_id,
        {{ try_cast('revenue_month', 'date') }} as revenue_month,
        cast(plan_id as {{ dbt.type_string() }}) as plan_id,
        {{ try_cast('seats', 'integer') }} as seats,
        {{ try_cast('mrr_usd', 'decimal(38, 12)') }} as mrr_usd
    from source
)

select * from final
