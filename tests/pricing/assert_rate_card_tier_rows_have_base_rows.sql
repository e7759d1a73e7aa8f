-- Every long-context tier row (threshold > 0) has a base row (threshold 0) for the same key on its first day.
with

prices as (

    select * from {{ ref('stg_rate_cards__prices') }}

)

select tier_price.price_id
from prices as tier_price
left join prices as base_price
    on base_price.provider = tier_price.provider
    and base_price.model_id = tier_price.model_id
    and base_price.usage_type = tier_price.usage_type
    and base_price.service_tier = tier_price.service_tier
    and base_price.region_scope = tier_price.region_scope
    and base_price.tier_threshold_tokens = 0
    and base_price.valid_from <= tier_price.valid_from
    and base_price.valid_to_effective > tier_price.valid_from
where tier_price.tier_threshold_tokens > 0
    and base_price.price_id is null
