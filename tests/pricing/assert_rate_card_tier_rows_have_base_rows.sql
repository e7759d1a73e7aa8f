-- Every long-context tier row (threshold > 0) has a base row (threshold 0) for the same key on its first day.
with

prices as (

    select * from {{ ref('stg_rate_cards__prices') }}

)

select tier_price.price_id
from prices as tier_price
left outer join prices as base_price
    on
        tier_price.provider = base_price.provider
        and tier_price.model_id = base_price.model_id
        and tier_price.usage_type = base_price.usage_type
        and tier_price.service_tier = base_price.service_tier
        and tier_price.region_scope = base_price.region_scope
        and base_price.tier_threshold_tokens = 0
        and tier_price.valid_from >= base_price.valid_from
        and tier_price.valid_from < base_price.valid_to_effective
where
    tier_price.tier_threshold_tokens > 0
    and base_price.price_id is null
