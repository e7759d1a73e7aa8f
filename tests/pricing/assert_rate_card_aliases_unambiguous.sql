-- No raw model string resolves to two models on the same date. Probes: every exact alias string, every canonical
-- model id and every example string, on every date an alias rule starts. Exact rules are checked at the top rank;
-- pattern rules are also checked among themselves (a latent tie hidden today by an exact rule still fails).
with

aliases as (

    select * from {{ ref('stg_rate_cards__model_aliases') }}

),

probe_strings as (

    select
        provider,
        raw_model_pattern as raw_model
    from aliases
    where match_type = 'exact'
    union
    select
        provider,
        lower(model_id) as raw_model
    from {{ ref('stg_rate_cards__models') }}
    union
    select
        provider,
        lower(trim(raw_model)) as raw_model
    from {{ ref('rate_card_alias_examples') }}

),

probes as (

    select distinct
        probe_strings.provider,
        probe_strings.raw_model,
        aliases.valid_from as probe_date
    from probe_strings
    inner join aliases
        on probe_strings.provider = aliases.provider

),

matches as (

    select
        probes.provider,
        probes.raw_model,
        probes.probe_date,
        aliases.model_id,
        aliases.region_scope,
        aliases.match_type,
        dense_rank() over (
            partition by probes.provider, probes.raw_model, probes.probe_date
            order by case when aliases.match_type = 'exact' then 0 else 1 end, aliases.priority desc
        ) as match_rank,
        dense_rank() over (
            partition by probes.provider, probes.raw_model, probes.probe_date, aliases.match_type
            order by aliases.priority desc
        ) as rank_within_match_type
    from probes
    inner join aliases
        on {{ alias_match_condition('probes', 'aliases', 'probe_date', 'raw_model') }}

)

select
    provider,
    raw_model,
    probe_date,
    match_type,
    count(distinct {{ dbt.concat(["model_id", "'|'", "region_scope"]) }}) as target_count
from matches
where match_rank = 1 or (match_type = 'pattern' and rank_within_match_type = 1)
group by provider, raw_model, probe_date, match_type
having count(distinct {{ dbt.concat(["model_id", "'|'", "region_scope"]) }}) > 1
