with source as (
    select * from {{ source('app', 'app_features') }}
),

final as (
    select
        cast(feature_id as {{ dbt.type_string() }}) as feature_id,
        cast(feature_name as {{ dbt.type_string() }}) as feature_name,
        cast(team_id as {{ dbt.type_string() }}) as team_id,
        {{ try_cast('is_interactive', 'boolean') }} as is_interactive,
        {{ try_cast('launched_date', 'date') }} as launched_date
    from source
)

select * from final
