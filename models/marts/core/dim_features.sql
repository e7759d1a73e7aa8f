with features as (
    select * from {{ ref('stg_app__features') }}
),

feature_owners as (
    select * from {{ ref('feature_owners') }}
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
        -- The feature_owners seed overrides the app table's owner and the team's default cost center.
        coalesce(feature_owners.team_id, members.team_id, 'unallocated') as team_id,
        coalesce(feature_owners.cost_center, teams.cost_center, 'unallocated') as cost_center,
        feature_owners.feature_id is not null as is_owner_from_seed,
        members.is_interactive,
        members.launched_date
    from members
    left outer join feature_owners
        on members.feature_id = feature_owners.feature_id
    left outer join teams
        on coalesce(feature_owners.team_id, members.team_id) = teams.team_id
)

select * from final
