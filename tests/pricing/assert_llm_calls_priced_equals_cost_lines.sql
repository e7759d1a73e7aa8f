-- A priced call's list and net cost equal the sum of its cost lines (nothing lost between lines and calls).
with

priced as (

    select * from {{ ref('int_llm_calls_priced') }}
    where pricing_status = 'priced'

),

line_totals as (

    select
        call_id,
        sum(list_cost_usd) as list_cost_usd,
        sum(net_cost_usd) as net_cost_usd
    from {{ ref('int_llm_cost_lines') }}
    group by call_id

)

select
    priced.call_id,
    priced.list_cost_usd,
    line_totals.list_cost_usd as line_list_cost_usd
from priced
left outer join line_totals
    on priced.call_id = line_totals.call_id
where
    priced.list_cost_usd <> coalesce(line_totals.list_cost_usd, 0)
    or priced.net_cost_usd <> coalesce(line_totals.net_cost_usd, 0)
