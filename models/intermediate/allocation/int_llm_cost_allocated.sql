{#- One row per source cost cell (UTC day × environment × feature × customer × team of the billable calls) × member the
    cell's cost is allocated to. Cells no rule applies to keep their own members (method `direct`, fraction 1). Cells of
    a rule's source environment whose target dimension is `unallocated` are spread over the basis environment's members
    of the same day by their share of list cost (method `rule`); when that day has no basis usage the cost stays
    `unallocated` (method `no_basis`). The largest share takes the rounding remainder, so the allocated amounts of a
    cell add up exactly to its cost. -#}
with

int_llm_calls_attributed as (

    select * from {{ ref('int_llm_calls_attributed') }}

),

allocation_rules as (

    select * from {{ ref('allocation_rules') }}

),

cells as (

    select
        call_date as usage_date,
        environment,
        feature_id,
        customer_id,
        team_id,
        cast(sum(coalesce(list_cost_usd, 0)) as decimal(38, 12)) as list_cost_usd,
        cast(sum(coalesce(net_cost_usd, 0)) as decimal(38, 12)) as net_cost_usd
    from int_llm_calls_attributed
    group by call_date, environment, feature_id, customer_id, team_id

),

ruled_cells as (

    select
        cells.*,
        allocation_rules.allocation_rule_id,
        allocation_rules.target_dimension,
        allocation_rules.basis_environment
    from cells
    inner join allocation_rules
        on
            cells.environment = allocation_rules.source_environment
            and cells.usage_date >= allocation_rules.valid_from
            and cells.usage_date < coalesce(allocation_rules.valid_to, {{ open_ended_date() }})
            and (
                (allocation_rules.target_dimension = 'customer_id' and cells.customer_id = 'unallocated')
                or (allocation_rules.target_dimension = 'feature_id' and cells.feature_id = 'unallocated')
            )

),

basis_members as (

    -- Usage of each member of each target dimension per day and environment, list cost USD (zero usage excluded).
    select
        call_date as usage_date,
        environment,
        'customer_id' as target_dimension,
        customer_id as member_id,
        cast(null as {{ dbt.type_string() }}) as member_team_id,
        cast(sum(coalesce(list_cost_usd, 0)) as decimal(38, 12)) as basis_list_cost_usd
    from int_llm_calls_attributed
    where customer_id <> 'unallocated'
    group by call_date, environment, customer_id
    having sum(coalesce(list_cost_usd, 0)) > 0
    union all
    select
        call_date as usage_date,
        environment,
        'feature_id' as target_dimension,
        feature_id as member_id,
        max(team_id) as member_team_id,
        cast(sum(coalesce(list_cost_usd, 0)) as decimal(38, 12)) as basis_list_cost_usd
    from int_llm_calls_attributed
    where feature_id <> 'unallocated'
    group by call_date, environment, feature_id
    having sum(coalesce(list_cost_usd, 0)) > 0

),

basis_shares as (

    select
        *,
        {{ divide(
            'basis_list_cost_usd',
            'sum(basis_list_cost_usd) over (partition by usage_date, environment, target_dimension)'
        ) }} as fraction_of_basis_cost
    from basis_members

),

spread as (

    select
        ruled_cells.usage_date,
        ruled_cells.environment,
        ruled_cells.feature_id as source_feature_id,
        ruled_cells.customer_id as source_customer_id,
        ruled_cells.team_id as source_team_id,
        case
            when ruled_cells.target_dimension = 'feature_id' then basis_shares.member_id
            else ruled_cells.feature_id
        end as feature_id,
        case
            when ruled_cells.target_dimension = 'customer_id' then basis_shares.member_id
            else ruled_cells.customer_id
        end as customer_id,
        case
            when ruled_cells.target_dimension = 'feature_id' then basis_shares.member_team_id
            else ruled_cells.team_id
        end as team_id,
        ruled_cells.allocation_rule_id,
        'rule' as allocation_method,
        ruled_cells.list_cost_usd as source_list_cost_usd,
        ruled_cells.net_cost_usd as source_net_cost_usd,
        basis_shares.basis_list_cost_usd,
        basis_shares.fraction_of_basis_cost as fraction_of_source_cost
    from ruled_cells
    inner join basis_shares
        on
            ruled_cells.usage_date = basis_shares.usage_date
            and ruled_cells.basis_environment = basis_shares.environment
            and ruled_cells.target_dimension = basis_shares.target_dimension
    where basis_shares.fraction_of_basis_cost is not null

),

kept as (

    -- Cells no rule applies to, and ruled cells whose day has no basis usage: they keep their own members.
    select
        cells.usage_date,
        cells.environment,
        cells.feature_id as source_feature_id,
        cells.customer_id as source_customer_id,
        cells.team_id as source_team_id,
        cells.feature_id,
        cells.customer_id,
        cells.team_id,
        ruled_cells.allocation_rule_id,
        case when ruled_cells.allocation_rule_id is null then 'direct' else 'no_basis' end as allocation_method,
        cells.list_cost_usd as source_list_cost_usd,
        cells.net_cost_usd as source_net_cost_usd,
        cast(null as decimal(38, 12)) as basis_list_cost_usd,
        cast(1 as decimal(38, 12)) as fraction_of_source_cost
    from cells
    left outer join ruled_cells
        on
            cells.usage_date = ruled_cells.usage_date
            and cells.environment = ruled_cells.environment
            and cells.feature_id = ruled_cells.feature_id
            and cells.customer_id = ruled_cells.customer_id
            and cells.team_id = ruled_cells.team_id
    where not exists (
        select 1
        from spread
        where
            spread.usage_date = cells.usage_date
            and spread.environment = cells.environment
            and spread.source_feature_id = cells.feature_id
            and spread.source_customer_id = cells.customer_id
            and spread.source_team_id = cells.team_id
    )

),

lines as (

    select * from spread
    union all
    select * from kept

),

rounded as (

    select
        *,
        cast(source_list_cost_usd * fraction_of_source_cost as decimal(38, 12)) as share_list_cost_usd,
        cast(source_net_cost_usd * fraction_of_source_cost as decimal(38, 12)) as share_net_cost_usd,
        row_number() over (
            partition by usage_date, environment, source_feature_id, source_customer_id, source_team_id
            order by fraction_of_source_cost desc, feature_id asc, customer_id asc, team_id asc
        ) as share_rank
    from lines

),

final as (

    select
        usage_date,
        environment,
        feature_id,
        customer_id,
        team_id,
        source_feature_id,
        source_customer_id,
        source_team_id,
        allocation_rule_id,
        allocation_method,
        source_list_cost_usd,
        source_net_cost_usd,
        basis_list_cost_usd,
        fraction_of_source_cost,
        cast(
            case
                when share_rank = 1
                    then source_list_cost_usd - (
                        sum(share_list_cost_usd) over (
                            partition by usage_date, environment, source_feature_id, source_customer_id, source_team_id
                        ) - share_list_cost_usd
                    )
                else share_list_cost_usd
            end as decimal(38, 12)
        ) as allocated_list_cost_usd,
        cast(
            case
                when share_rank = 1
                    then source_net_cost_usd - (
                        sum(share_net_cost_usd) over (
                            partition by usage_date, environment, source_feature_id, source_customer_id, source_team_id
                        ) - share_net_cost_usd
                    )
                else share_net_cost_usd
            end as decimal(38, 12)
        ) as allocated_net_cost_usd
    from rounded

)

select * from final
