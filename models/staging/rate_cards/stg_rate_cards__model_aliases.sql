with

rate_card_model_aliases as (

    select * from {{ ref('rate_card_model_aliases') }}

),

final as (

    select
        cast(alias_id as {{ dbt.type_string() }}) as alias_id,
        cast(lower(trim(provider)) as {{ dbt.type_string() }}) as provider,
        cast(lower(trim(match_type)) as {{ dbt.type_string() }}) as match_type,
        cast(raw_model_pattern as {{ dbt.type_string() }}) as raw_model_pattern,
        cast(trim(model_id) as {{ dbt.type_string() }}) as model_id,
        {{ dbt.concat(["lower(trim(provider))", "'|'", "trim(model_id)"]) }} as provider_model_key,
        cast(lower(trim(region_scope)) as {{ dbt.type_string() }}) as region_scope,
        cast(priority as {{ dbt.type_int() }}) as priority,
        cast(valid_from as date) as valid_from,
        cast(valid_to as date) as valid_to,
        coalesce(cast(valid_to as date), {{ open_ended_date() }}) as valid_to_effective,
        {{ dbt.concat(["lower(trim(provider))", "'|'", "lower(trim(match_type))", "'|'", "raw_model_pattern"]) }}
            as alias_key,
        cast(note as {{ dbt.type_string() }}) as note
    from rate_card_model_aliases

)

select * from final
