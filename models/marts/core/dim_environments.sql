with calls as (
    select * from {{ ref('int_llm_calls_attributed') }}
),

allocation_rules as (
    select * from {{ ref('allocation_rules') }}
),

seen as (
    select
        environment,
        cast(count(*) as bigint) as calls,
        cast(sum(case when customer_id <> 'unallocated' then 1 else 0 end) as bigint) as customer_calls
    from calls
    group by environment
),

allocation_sources as (
    select distinct source_environment
    from allocation_rules
),

members as (
    select environment from seen
    union
    select 'unknown' as environment
    union
    select source_environment as environment from allocation_rules
    union
    select basis_environment as environment from allocation_rules
),

final as (
    select
        members.environment,
        coalesce(seen.customer_calls, 0) > 0 as has_customer_traffic,
        allocation_sources.source_environment is not null as is_allocation_source,
        coalesce(seen.calls, 0) as billable_calls
    from members
    left outer join seen
        on members.environment = seen.environment
    left outer join allocation_sources
        on members.environment = allocation_sources.source_environment
)

select * from final
