with accounts as (
    select * from {{ ref('stg_app__accounts') }}
),

plans as (
    select * from {{ ref('stg_app__plans') }}
),

members as (
    select
        account_id,
        account_name,
        plan_id,
        segment,
        region,
        signed_up_date,
        churned_date
    from accounts
    union all
    select
        'unallocated' as account_id,
        'Unallocated (no customer on the call)' as account_name,
        cast(null as {{ dbt.type_string() }}) as plan_id,
        cast(null as {{ dbt.type_string() }}) as segment,
        cast(null as {{ dbt.type_string() }}) as region,
        cast(null as date) as signed_up_date,
        cast(null as date) as churned_date
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
        members.churned_date is not null as is_churned
    from members
    left join plans
        on members.plan_id = plans.plan_id
)

select * from final
