with source as (
    select * from {{ source('app', 'app_teams') }}
),

final as (
    select
        cast(team_id as {{ dbt.type_string() }}) as team_id,
        cast(team_name as {{ dbt.type_string() }}) as team_name,
        cast(cost_center as {{ dbt.type_string() }}) as cost_center
    from source
)

select * from final
