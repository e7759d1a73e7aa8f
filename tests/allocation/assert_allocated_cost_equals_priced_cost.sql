-- Allocation conserves cost: per UTC day (and therefore overall), the allocated list and net cost of
-- int_llm_cost_allocated equal the priced cost of the billable calls (int_llm_calls_priced) to the cent.
-- Fails with each day, plus an `overall` row, where either total differs by more than var allocation_tolerance_usd.
with

priced as (

    select
        cast(call_date as {{ dbt.type_string() }}) as period,
        cast(sum(coalesce(list_cost_usd, 0)) as decimal(38, 12)) as list_cost_usd,
        cast(sum(coalesce(net_cost_usd, 0)) as decimal(38, 12)) as net_cost_usd
    from {{ ref('int_llm_calls_priced') }}
    group by call_date
    union all
    select
        'overall' as period,
        cast(sum(coalesce(list_cost_usd, 0)) as decimal(38, 12)) as list_cost_usd,
        cast(sum(coalesce(net_cost_usd, 0)) as decimal(38, 12)) as net_cost_usd
    from {{ ref('int_llm_calls_priced') }}

),

allocated as (

    select
        cast(usage_date as {{ dbt.type_string() }}) as period,
        cast(sum(allocated_list_cost_usd) as decimal(38, 12)) as list_cost_usd,
        cast(sum(allocated_net_cost_usd) as decimal(38, 12)) as net_cost_usd
    from {{ ref('int_llm_cost_allocated') }}
    group by usage_date
    union all
    select
        'overall' as period,
        cast(sum(allocated_list_cost_usd) as decimal(38, 12)) as list_cost_usd,
        cast(sum(allocated_net_cost_usd) as decimal(38, 12)) as net_cost_usd
    from {{ ref('int_llm_cost_allocated') }}

),

compared as (

    select
        coalesce(priced.period, allocated.period) as period,
        priced.list_cost_usd as priced_list_cost_usd,
        allocated.list_cost_usd as allocated_list_cost_usd,
        priced.net_cost_usd as priced_net_cost_usd,
        allocated.net_cost_usd as allocated_net_cost_usd
    from priced
    full outer join allocated
        on priced.period = allocated.period

)

select *
from compared
where
    priced_list_cost_usd is null
    or allocated_list_cost_usd is null
    or abs(priced_list_cost_usd - allocated_list_cost_usd) > {{ var('allocation_tolerance_usd') }}
    or abs(priced_net_cost_usd - allocated_net_cost_usd) > {{ var('allocation_tolerance_usd') }}
