-- Every chat model has a standard base price for input and for output in force today.
with

models as (

    select * from {{ ref('stg_rate_cards__models') }}

),

prices as (

    select * from {{ ref('stg_rate_cards__prices') }}

),

required_usage_types as (

    select 'input' as usage_type
    union all
    select 'output' as usage_type

),

prices_today as (

    select
        provider,
        model_id,
        usage_type
    from prices
    where
        service_tier = 'standard'
        and region_scope = '*'
        and tier_threshold_tokens = 0
        and valid_from <= cast({{ dbt.current_timestamp() }} as date)
        and valid_to_effective > cast({{ dbt.current_timestamp() }} as date)

)

select
    models.provider,
    models.model_id,
    required_usage_types.usage_type as missing_usage_type
from models
cross join required_usage_types
left outer join prices_today
    on
        models.provider = prices_today.provider
        and models.model_id = prices_today.model_id
        and required_usage_types.usage_type = prices_today.usage_type
where
    models.mode = 'chat'
    and prices_today.model_id is null
