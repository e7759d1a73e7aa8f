with source as (
    select * from {{ source('app', 'app_accounts') }}
),

final as (
    select
        cast(account_id as {{ dbt.type_string() }}) as account_id,
        cast(account_name as {{ dbt.type_string() }}) as account_name,
        cast(plan_id as {{ dbt.type_string() }}) as plan_id,
        cast(segment as {{ dbt.type_string() }}) as segment,
        cast(region as {{ dbt.type_string() }}) as region,
        {{ try_cast('signed_up_date', 'date') }} as signed_up_date,
        {{ try_cast('churned_date', 'date') }} as churned_date
    from source
)

select * from final
