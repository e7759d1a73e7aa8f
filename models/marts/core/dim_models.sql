with rate_card_models as (
    select * from {{ ref('stg_rate_cards__models') }}
),

members as (
    select
        {{ dbt.concat(["provider", "'|'", "model_id"]) }} as model_key,
        provider,
        model_id,
        model_family,
        mode,
        context_window,
        true as is_resolved
    from rate_card_models
    union all
    select
        'unresolved' as model_key,
        cast(null as {{ dbt.type_string() }}) as provider,
        'unresolved' as model_id,
        cast(null as {{ dbt.type_string() }}) as model_family,
        cast(null as {{ dbt.type_string() }}) as mode,
        cast(null as bigint) as context_window,
        false as is_resolved
),

final as (
    select
        cast(model_key as {{ dbt.type_string() }}) as model_key,
        cast(provider as {{ dbt.type_string() }}) as provider,
        cast(model_id as {{ dbt.type_string() }}) as model_id,
        cast(model_family as {{ dbt.type_string() }}) as model_family,
        cast(mode as {{ dbt.type_string() }}) as mode,
        cast(context_window as bigint) as context_window,
        is_resolved
    from members
)

select * from final
