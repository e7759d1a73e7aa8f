with teams as (
    select * from {{ ref('stg_app__teams') }}
),

feature_owners as (
    select * from {{ ref('feature_owners') }}
),

assignments as (
    -- Every cost center a team defaults to or a feature is booked to (seed feature_owners).
    select
        cost_center,
        team_id,
        1 as is_team_default
    from teams
    union all
    select
        cost_center,
        team_id,
        0 as is_team_default
    from feature_owners
),

members as (
    select
        cost_center,
        min(team_id) as team_id,
        max(is_team_default) as is_team_default,
        cast(count(distinct team_id) as bigint) as teams
    from assignments
    group by cost_center
    union all
    select
        'unallocated' as cost_center,
        'unallocated' as team_id,
        1 as is_team_default,
        cast(0 as bigint) as teams
),

final as (
    select
        cost_center,
        team_id as owning_team_id,
        is_team_default = 1 as is_team_default,
        teams
    from members
)

select * from final
