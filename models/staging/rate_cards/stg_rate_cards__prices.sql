with

rate_card_prices as (

    select * from {{ ref('rate_card_prices') }}

),

final as (

    select
        cast(price_id as {{ dbt.type_string() }}) as price_id,
        cast(lower(trim(provider)) as {{ dbt.type_string() }}) as provider,
        cast(trim(model_id) as {{ dbt.type_string() }}) as model_id,
        {{ dbt.concat(["lower(trim(provider))", "'|'", "trim(model_id)"]) }} as provider_model_key,
        cast(lower(trim(usage_type)) as {{ dbt.type_string() }}) as usage_type,
        cast(lower(trim(service_tier)) as {{ dbt.type_string() }}) as service_tier,
        cast(lower(trim(region_scope)) as {{ dbt.type_string() }}) as region_scope,
        cast(tier_threshold_tokens as {{ dbt.type_bigint() }}) as tier_threshold_tokens,
        cast(lower(trim(unit)) as {{ dbt.type_string() }}) as unit,
        cast(unit_quantity as {{ dbt.type_bigint() }}) as unit_quantity,
        cast(price as decimal(38, 12)) as price,
        -- Price of one unit, exact: the reciprocal of a power of ten rounds exactly at 18 decimals, and a
        -- decimal product stays a decimal (a decimal division would turn into a float on DuckDB).
        cast(
            cast(price as decimal(38, 12)) * cast(1.0 / unit_quantity as decimal(38, 18))
            as decimal(38, 18)
        ) as price_per_unit,
        cast(upper(trim(currency)) as {{ dbt.type_string() }}) as currency,
        cast(valid_from as date) as valid_from,
        cast(valid_to as date) as valid_to,
        coalesce(cast(valid_to as date), {{ open_ended_date() }}) as valid_to_effective,
        {{ dbt.concat([
            "lower(trim(provider))", "'|'", "trim(model_id)", "'|'", "lower(trim(usage_type))", "'|'",
            "lower(trim(service_tier))", "'|'", "lower(trim(region_scope))", "'|'",
            "cast(tier_threshold_tokens as " ~ dbt.type_string() ~ ")"
        ]) }} as price_key,
        cast(source_url as {{ dbt.type_string() }}) as source_url,
        cast(note as {{ dbt.type_string() }}) as note
    from rate_card_prices

)

select * from final
