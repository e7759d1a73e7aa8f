with source as (
    select * from {{ source('app', 'app_provider_accounts') }}
),

final as (
    select
        cast(provider as {{ dbt.type_string() }}) as provider,
        cast(environment as {{ dbt.type_string() }}) as environment,
        cast(billing_account_id as {{ dbt.type_string() }}) as billing_account_id,
        cast(sub_account_id as {{ dbt.type_string() }}) as sub_account_id
    from source
)

select * from final
