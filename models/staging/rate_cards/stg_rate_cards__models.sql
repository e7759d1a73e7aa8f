with

rate_card_models as (

    select * from {{ ref('rate_card_models') }}

),

final as (

    select
        cast(lower(trim(provider)) as {{ dbt.type_string() }}) as provider,
        cast(trim(model_id) as {{ dbt.type_string() }}) as model_id,
        {{ dbt.concat(["lower(trim(provider))", "'|'", "trim(model_id)"]) }} as provider_model_key,
        cast(reference_provider_id as {{ dbt.type_string() }}) as reference_provider_id,
        cast(model_family as {{ dbt.type_string() }}) as model_family,
        cast(lower(trim(mode)) as {{ dbt.type_string() }}) as mode,
        cast(context_window as {{ dbt.type_bigint() }}) as context_window,
        cast(lower(trim(tier_rule)) as {{ dbt.type_string() }}) as tier_rule,
        cast(note as {{ dbt.type_string() }}) as note
    from rate_card_models

)

select * from final
