-- Every example of rate_card_alias_examples resolves to exactly its expected model and region scope.
with

examples as (

    select
        provider,
        example_date,
        expected_model_id,
        expected_region_scope,
        lower(trim(raw_model)) as raw_model
    from {{ ref('rate_card_alias_examples') }}

),

aliases as (

    select * from {{ ref('stg_rate_cards__model_aliases') }}

),

matches as (

    select
        examples.provider,
        examples.raw_model,
        examples.example_date,
        aliases.model_id,
        aliases.region_scope,
        dense_rank() over (
            partition by examples.provider, examples.raw_model, examples.example_date
            order by case when aliases.match_type = 'exact' then 0 else 1 end, aliases.priority desc
        ) as match_rank
    from examples
    inner join aliases
        on {{ alias_match_condition('examples', 'aliases', 'example_date', 'raw_model') }}

),

resolved as (

    select
        provider,
        raw_model,
        example_date,
        count(distinct {{ dbt.concat(["model_id", "'|'", "region_scope"]) }}) as target_count,
        min(model_id) as model_id,
        min(region_scope) as region_scope
    from matches
    where match_rank = 1
    group by provider, raw_model, example_date

)

select
    examples.provider,
    examples.raw_model,
    examples.example_date,
    examples.expected_model_id,
    resolved.model_id,
    resolved.target_count
from examples
left outer join resolved
    on
        examples.provider = resolved.provider
        and examples.raw_model = resolved.raw_model
        and examples.example_date = resolved.example_date
where
    resolved.model_id is null
    or resolved.target_count <> 1
    or resolved.model_id <> examples.expected_model_id
    or resolved.region_scope <> examples.expected_region_scope
