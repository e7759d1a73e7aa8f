-- Within one key and overlapping windows: cache read <= uncached input <= 5m cache write <= 1h cache write.
with

prices as (

    select * from {{ ref('stg_rate_cards__prices') }}

),

ordered_pairs as (

    select
        'cache_read' as lower_usage_type,
        'input' as higher_usage_type
    union all
    select
        'input' as lower_usage_type,
        'cache_write_5m' as higher_usage_type
    union all
    select
        'cache_write_5m' as lower_usage_type,
        'cache_write_1h' as higher_usage_type

)

select
    lower_price.price_id as lower_price_id,
    lower_price.price as lower_price,
    higher_price.price_id as higher_price_id,
    higher_price.price as higher_price
from ordered_pairs
inner join prices as lower_price
    on ordered_pairs.lower_usage_type = lower_price.usage_type
inner join prices as higher_price
    on
        ordered_pairs.higher_usage_type = higher_price.usage_type
        and lower_price.provider = higher_price.provider
        and lower_price.model_id = higher_price.model_id
        and lower_price.service_tier = higher_price.service_tier
        and lower_price.region_scope = higher_price.region_scope
        and lower_price.tier_threshold_tokens = higher_price.tier_threshold_tokens
        and lower_price.valid_to_effective > higher_price.valid_from
        and lower_price.valid_from < higher_price.valid_to_effective
where lower_price.price > higher_price.price
