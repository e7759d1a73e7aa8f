{{ config(**incremental_by_date('trace_date')) }}
{%- set window = incremental_window('trace_date') %}

-- One row per call: the canonical model its raw model string resolves to on the call's date, or why it does not.
with

int_llm_calls as (

    {{ select_incremental_parent(ref('int_llm_calls'), window) }}

),

stg_rate_cards__model_aliases as (

    select * from {{ ref('stg_rate_cards__model_aliases') }}

),

calls as (

    select
        call_id,
        provider,
        call_date,
        trace_date,
        pricing_model,
        lower(trim(pricing_model)) as raw_model_normalized
    from int_llm_calls

),

{# Resolution depends only on (provider, date, raw model string): resolved once per distinct probe (a few thousand),
    not per call, since the pattern aliases are regular expressions. #}
probes as (

    select distinct
        provider,
        call_date,
        raw_model_normalized
    from calls

),

alias_matches as (

    select
        probes.provider,
        probes.call_date,
        probes.raw_model_normalized,
        aliases.alias_id,
        aliases.model_id,
        aliases.region_scope,
        aliases.match_type,
        aliases.priority
    from probes
    inner join stg_rate_cards__model_aliases as aliases
        on {{ alias_match_condition('probes', 'aliases', 'call_date', 'raw_model_normalized') }}

),

ranked_matches as (

    -- Most specific first: exact before pattern, then the highest priority. Ties keep rank 1 together.
    select
        alias_matches.*,
        dense_rank() over (
            partition by alias_matches.provider, alias_matches.call_date, alias_matches.raw_model_normalized
            order by case when alias_matches.match_type = 'exact' then 0 else 1 end, alias_matches.priority desc
        ) as match_rank
    from alias_matches

),

best_matches as (

    select
        provider,
        call_date,
        raw_model_normalized,
        count(distinct {{ dbt.concat(["model_id", "'|'", "region_scope"]) }}) as candidate_count,
        min(alias_id) as alias_id,
        max(alias_id) as other_alias_id,
        min(model_id) as model_id,
        min(region_scope) as region_scope,
        min(match_type) as match_type
    from ranked_matches
    where match_rank = 1
    group by provider, call_date, raw_model_normalized

),

final as (

    select
        calls.call_id,
        calls.provider,
        calls.call_date,
        calls.pricing_model,
        calls.raw_model_normalized,
        case when best_matches.candidate_count = 1 then best_matches.alias_id end as alias_id,
        case when best_matches.candidate_count = 1 then best_matches.model_id end as model_id,
        case when best_matches.candidate_count = 1 then best_matches.region_scope end as region_scope,
        case when best_matches.candidate_count = 1 then best_matches.match_type end as match_type,
        case
            when best_matches.candidate_count > 1
                then {{ dbt.concat(["best_matches.alias_id", "' vs '", "best_matches.other_alias_id"]) }}
        end as ambiguous_alias_ids,
        case
            when best_matches.candidate_count is null then 'unknown_model'
            when best_matches.candidate_count > 1 then 'ambiguous_model'
            else 'resolved'
        end as resolution_status,
        calls.trace_date,
        {{ incremental_metadata_columns(window) }}
    from calls
    left outer join best_matches
        on
            calls.provider = best_matches.provider
            and calls.call_date = best_matches.call_date
            and calls.raw_model_normalized = best_matches.raw_model_normalized

)

select * from final
{{ incremental_cluster_order('trace_date', window) }}
