with

rate_card_contract_discounts as (

    select * from {{ ref('rate_card_contract_discounts') }}

),

final as (

    select
        cast(discount_id as {{ dbt.type_string() }}) as discount_id,
        cast(contract_id as {{ dbt.type_string() }}) as contract_id,
        cast(lower(trim(provider)) as {{ dbt.type_string() }}) as provider,
        cast(trim(model_id) as {{ dbt.type_string() }}) as model_id,
        cast(lower(trim(service_tier)) as {{ dbt.type_string() }}) as service_tier,
        cast(lower(trim(usage_type)) as {{ dbt.type_string() }}) as usage_type,
        cast(discount_pct as decimal(38, 12)) as discount_pct,
        cast(valid_from as date) as valid_from,
        cast(valid_to as date) as valid_to,
        coalesce(cast(valid_to as date), {{ open_ended_date() }}) as valid_to_effective,
        {{ dbt.concat([
            "lower(trim(provider))", "'|'", "trim(model_id)", "'|'", "lower(trim(service_tier))", "'|'",
            "lower(trim(usage_type))"
        ]) }} as discount_scope_key,
        -- Number of wildcards: fewer is more specific, and the most specific row in force wins.
        (case when trim(model_id) = '*' then 1 else 0 end)
        + (case when lower(trim(service_tier)) = '*' then 1 else 0 end)
        + (case when lower(trim(usage_type)) = '*' then 1 else 0 end) as wildcard_count,
        cast(note as {{ dbt.type_string() }}) as note
    from rate_card_contract_discounts

)

select * from final
