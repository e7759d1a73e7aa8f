with accounts as (
    select * from {{ ref('stg_app__accounts') }}
),

plans as (
    select * from {{ ref('stg_app__plans') }}
),

calls as (
    select * from {{ ref('int_llm_calls') }}
),

unknown_customers as (
    -- Customer ids seen on calls that the accounts table does not know: kept as members so no cost loses its customer.
    select distinct calls.customer_id as account_id
    from calls
    where
        calls.customer_id is not null
        and not exists (
            select 1
            from accounts
            where accounts.account_id = calls.customer_id
        )
),

members as (
    select
        account_id,
        account_name,
        plan_id,
        segment,
        region,
        signed_up_date,
        churned_date,
        true as is_known_account
    from accounts
    union all
    select
        account_id,
        cast(null as {{ dbt.type_string() }}) as account_name,
        cast(null as {{ dbt.type_string() }}) as plan_id,
        cast(null as {{ dbt.type_string() }}) as segment,
        cast(null as {{ dbt.type_string() }}) as region,
        cast(null as date) as signed_up_date,
        cast(null as date) as churned_date,
        false as is_known_account
    from unknown_customers
    union all
    select
        'unallocated' as account_id,
        'Unallocated (no customer on the call)' as account_name,
        cast(null as {{ dbt.type_string() }}) as plan_id,
        cast(null as {{ dbt.type_string() }}) as segment,
        cast(null as {{ dbt.type_string() }}) as region,
        cast(null as date) as signed_up_date,
        cast(null as date) as churned_date,
        false as is_known_account
),

final as (
    select
        members.account_id,
        members.account_name,
        members.plan_id,
        plans.plan_name,
        members.segment,
        members.region,
        members.signed_up_date,
        members.churned_date,
        members.churned_date is not null as is_churned,
        members.is_known_account
    from members
    left outer join plans
        on members.plan_id = plans.plan_id
)

select * from final
