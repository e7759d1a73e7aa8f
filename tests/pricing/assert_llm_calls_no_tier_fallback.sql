{{ config(severity='warn') }}
-- Warns about calls on batch/flex/priority whose model has no price for that tier: priced at standard rates
-- only as an estimate (int_llm_calls_unpriced.estimated_list_cost_usd). Add the tier's rows to the rate card.
select
    call_id,
    provider,
    model_id,
    service_tier,
    call_date
from {{ ref('int_llm_calls_unpriced') }}
where unpriced_reason = 'tier_fallback'
