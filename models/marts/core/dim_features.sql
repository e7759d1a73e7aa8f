with features as (
    select * from {{ ref('stg_app__features') }}
),

teams as (
    select * from {{ ref('dim_teams') }}
),

members as (
    select
        feature_id,
        feature_name,
        team_id,
        is_interactive,
        launched_date
    from features
    union all
    select
        'unallocated' as feature_id,
        'Unallocated' as feature_name,
        'unallocated' as team_id,
        cast(null as boolean) as is_interactive,
        cast(null as date) as launched_date
),

final as (
    select
        members.feature_id,
        members.feature_name,
        coalesce(members.team_id, 'unallocated') as team_id,
        coalesce(teams.cost_center, 'unallocated') as cost_center,
        members.is_interactive,
        members.launched_date
    from members
    left join teams
        on members.team_id = teams.team_id
)

select * from final
