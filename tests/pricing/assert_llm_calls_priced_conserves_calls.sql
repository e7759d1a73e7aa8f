-- Conservation: every call of int_llm_calls is in int_llm_calls_priced exactly once (and nothing else is), and it
-- is in int_llm_calls_unpriced exactly when its pricing_status is unpriced.
with

calls as (

    select call_id from {{ ref('int_llm_calls') }}

),

priced_counts as (

    select
        call_id,
        count(*) as priced_rows,
        sum(case when pricing_status = 'unpriced' then 1 else 0 end) as unpriced_status_rows
    from {{ ref('int_llm_calls_priced') }}
    group by call_id

),

unpriced_counts as (

    select
        call_id,
        count(*) as unpriced_rows
    from {{ ref('int_llm_calls_unpriced') }}
    group by call_id

),

all_call_ids as (

    select call_id from calls
    union
    select call_id from priced_counts
    union
    select call_id from unpriced_counts

)

select
    all_call_ids.call_id,
    calls.call_id is not null as is_in_calls,
    coalesce(priced_counts.priced_rows, 0) as priced_rows,
    coalesce(unpriced_counts.unpriced_rows, 0) as unpriced_rows
from all_call_ids
left outer join calls
    on all_call_ids.call_id = calls.call_id
left outer join priced_counts
    on all_call_ids.call_id = priced_counts.call_id
left outer join unpriced_counts
    on all_call_ids.call_id = unpriced_counts.call_id
where
    calls.call_id is null
    or coalesce(priced_counts.priced_rows, 0) <> 1
    or coalesce(unpriced_counts.unpriced_rows, 0) <> coalesce(priced_counts.unpriced_status_rows, 0)
