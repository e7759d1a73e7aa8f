with teams as (
    select * from {{ ref('stg_app__teams') }}
),

unallocated as (
    select
        'unallocated' as team_id,
        'Unallocated' as team_name,
        'unallocated' as cost_center
),

final as (
    select
        team_id,
        team_name,
        cost_center
    from teams
    union all
    select
        team_id,
        team_name,
        cost_center
    from unallocated
)

select * from final
