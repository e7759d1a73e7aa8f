-- Conservation: every call of int_llm_calls is in int_llm_calls_priced exactly once (and nothing else is), and it
-- is in int_llm_calls_unpriced exactly when its pricing_status is unpriced. One aggregate over the three call id
-- lists (each row counts 1 in the column of its table) instead of a union of distinct ids joined to each count.
with

keyed as (

    select
        call_id,
        1 as call_rows,
        0 as priced_rows,
        0 as unpriced_status_rows,
        0 as unpriced_rows
    from {{ ref('int_llm_calls') }}

    union all

    select
        call_id,
        0 as call_rows,
        1 as priced_rows,
        case when pricing_status = 'unpriced' then 1 else 0 end as unpriced_status_rows,
        0 as unpriced_rows
    from {{ ref('int_llm_calls_priced') }}

    union all

    select
        call_id,
        0 as call_rows,
        0 as priced_rows,
        0 as unpriced_status_rows,
        1 as unpriced_rows
    from {{ ref('int_llm_calls_unpriced') }}

),

counted as (

    select
        call_id,
        sum(call_rows) as call_rows,
        sum(priced_rows) as priced_rows,
        sum(unpriced_status_rows) as unpriced_status_rows,
        sum(unpriced_rows) as unpriced_rows
    from keyed
    group by call_id

),

final as (

    select * from counted
    where call_rows <> 1 or priced_rows <> 1 or unpriced_rows <> unpriced_status_rows

)

select * from final
