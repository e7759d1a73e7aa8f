with

rate_card_usage_types as (

    select * from {{ ref('rate_card_usage_types') }}

),

final as (

    select
        cast(lower(trim(usage_type)) as {{ dbt.type_string() }}) as usage_type,
        cast(quantity_source as {{ dbt.type_string() }}) as quantity_source,
        cast(nullif(lower(trim(parent_usage_type)), '') as {{ dbt.type_string() }}) as parent_usage_type,
        cast(is_subset_of_parent as {{ dbt.type_boolean() }}) as is_subset_of_parent,
        cast(lower(trim(unit)) as {{ dbt.type_string() }}) as unit,
        cast(description as {{ dbt.type_string() }}) as description
    from rate_card_usage_types

)

select * from final
