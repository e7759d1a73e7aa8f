-- A call whose model string matches two different models at the same rank is an error in the alias seed.
select
    call_id,
    provider,
    pricing_model,
    ambiguous_alias_ids
from {{ ref('int_llm_calls_model_resolved') }}
where resolution_status = 'ambiguous_model'
