-- No raw model string resolves to two models on the same date. Probes: every exact alias string and every
-- canonical model id, on every date an alias rule starts; the most specific rank must hold a single target.
with

aliases as (

    select * from {{ ref('stg_rate_cards__model_aliases') }}

),

models as (

    select * from {{ ref('stg_rate_cards__models') }}

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
    from models

),

probe_dates as (

    select distinct
        provider,
        valid_from as probe_date
    from aliases

),

matches as (

    select
        probe_strings.provider,
        probe_strings.raw_model,
        probe_dates.probe_date,
        aliases.model_id,
        aliases.region_scope,
        dense_rank() over (
            partition by probe_strings.provider, probe_strings.raw_model, probe_dates.probe_date
            order by case when aliases.match_type = 'exact' then 0 else 1 end, aliases.priority desc
        ) as match_rank
    from probe_strings
    inner join probe_dates
        on probe_strings.provider = probe_dates.provider
    inner join aliases
        on
            probe_strings.provider = aliases.provider
            and probe_dates.probe_date >= aliases.valid_from
            and probe_dates.probe_date < aliases.valid_to_effective
            and (
                (aliases.match_type = 'exact' and probe_strings.raw_model = aliases.raw_model_pattern)
                or (
                    aliases.match_type = 'pattern'
                    and {{ regex_matches('probe_strings.raw_model', 'aliases.raw_model_pattern') }}
                )
            )

)

select
    provider,
    raw_model,
    probe_date,
    count(distinct {{ dbt.concat(["model_id", "'|'", "region_scope"]) }}) as target_count
from matches
where match_rank = 1
group by provider, raw_model, probe_date
having count(distinct {{ dbt.concat(["model_id", "'|'", "region_scope"]) }}) > 1
