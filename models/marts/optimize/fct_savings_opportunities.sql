{# Savings opportunities over the last savings_lookback_days days up to the as-of date (prompt bloat: the last
    savings_bloat_recent_days days), priced from the rate card. Every kind is one CTE with the same columns; union all;
    opportunities below savings_min_monthly_usd are dropped; rank 1 is the largest estimated monthly saving. #}
{%- set cache_ttl_minutes = {'5m': 5, '1h': 60}.get(var('savings_caching_cache_ttl')) -%}
{%- if cache_ttl_minutes is none -%}
    {{ exceptions.raise_compiler_error("var savings_caching_cache_ttl must be 5m or 1h, not "
        ~ var('savings_caching_cache_ttl')) }}
{%- endif -%}
{%- set cache_write_usage_type = 'cache_write_' ~ var('savings_caching_cache_ttl') %}
with

calls as (

    select * from {{ ref('fct_llm_calls') }}

),

prices as (

    select * from {{ ref('stg_rate_cards__prices') }}

),

routing_candidates as (

    select * from {{ ref('routing_candidates') }}

),

features as (

    select * from {{ ref('dim_features') }}

),

as_of as (

    select
        {{ optimize_as_of_date(ref('fct_llm_calls')) }} as as_of_date,
        min(call_date) as first_call_date
    from calls

),

evaluation_window as (

    select
        as_of_date,
        cast({{ dbt.dateadd('day', 1 - var('savings_lookback_days'), 'as_of_date') }} as date) as window_start_date
    from as_of

),

window_days as (

    select
        evaluation_window.as_of_date,
        evaluation_window.window_start_date,
        {{ dbt.datediff(
            'case when as_of.first_call_date > evaluation_window.window_start_date'
            ~ ' then as_of.first_call_date else evaluation_window.window_start_date end',
            'evaluation_window.as_of_date', 'day') }} + 1 as observed_days
    from evaluation_window
    cross join as_of

),

window_calls as (

    select calls.*
    from calls
    inner join window_days
        on
            calls.call_date >= window_days.window_start_date
            and calls.call_date <= window_days.as_of_date
    where calls.pricing_status = 'priced'

),

{# Standard-tier base prices (below any long-context threshold) per model and usage type. #}
standard_prices as (

    select
        provider,
        model_id,
        usage_type,
        price_per_unit,
        valid_from,
        valid_to_effective
    from prices
    where
        service_tier = 'standard'
        and tier_threshold_tokens = 0
        and region_scope = '*'
        and unit = 'token'

),

{# Batch-tier prices; a usage type without a batch row keeps its standard price. #}
batch_prices as (

    select
        provider,
        model_id,
        usage_type,
        price_per_unit,
        valid_from,
        valid_to_effective
    from prices
    where
        service_tier = 'batch'
        and tier_threshold_tokens = 0
        and region_scope = '*'
        and unit = 'token'

),

{# Prompt caching: a feature x model x environment that never reads from cache although its smallest input is long.
    The smallest input is a lower bound of the prefix every call repeats. A cached prefix lives savings_caching_cache_ttl
    after its last use: the group's first window call and every call later than that after the previous one write it
    (paying cache write - input price on the prefix), every other call reads it (saving input - cache read price). #}
caching_groups as (

    select
        feature_id,
        team_id,
        environment,
        provider,
        model_id,
        min(input_total_tokens) as shared_prefix_tokens
    from window_calls
    where usage_status = 'reported'
    group by feature_id, team_id, environment, provider, model_id
    having
        sum(coalesce(cache_read_tokens, 0)) = 0
        and min(input_total_tokens) >= {{ var('savings_caching_min_prefix_tokens') }}

),

caching_calls as (

    select
        caching_groups.feature_id,
        caching_groups.team_id,
        caching_groups.environment,
        caching_groups.provider,
        caching_groups.model_id,
        caching_groups.shared_prefix_tokens,
        window_calls.call_id,
        window_calls.call_date,
        window_calls.called_at,
        window_calls.list_cost_usd,
        lag(window_calls.called_at) over (
            partition by
                caching_groups.feature_id,
                caching_groups.environment,
                caching_groups.provider,
                caching_groups.model_id
            order by window_calls.called_at, window_calls.call_id
        ) as previous_called_at
    from caching_groups
    inner join window_calls
        on
            caching_groups.feature_id = window_calls.feature_id
            and caching_groups.environment = window_calls.environment
            and caching_groups.provider = window_calls.provider
            and caching_groups.model_id = window_calls.model_id

),

{# Per call: the input, cache-read and cache-write (of the TTL) prices in force; no write price = no premium. #}
caching_call_prices as (

    select
        caching_calls.call_id,
        max(case when standard_prices.usage_type = 'input' then standard_prices.price_per_unit end) as input_price,
        max(case when standard_prices.usage_type = 'cache_read' then standard_prices.price_per_unit end)
            as cache_read_price,
        max(
            case
                when standard_prices.usage_type = '{{ cache_write_usage_type }}'
                    then standard_prices.price_per_unit
            end
        ) as cache_write_price
    from caching_calls
    inner join standard_prices
        on
            caching_calls.provider = standard_prices.provider
            and caching_calls.model_id = standard_prices.model_id
            and caching_calls.call_date >= standard_prices.valid_from
            and caching_calls.call_date < standard_prices.valid_to_effective
    where standard_prices.usage_type in ('input', 'cache_read', '{{ cache_write_usage_type }}')
    group by caching_calls.call_id

),

caching_writes as (

    select
        caching_calls.*,
        caching_call_prices.input_price,
        caching_call_prices.cache_read_price,
        coalesce(caching_call_prices.cache_write_price, caching_call_prices.input_price) as cache_write_price,
        coalesce(
            caching_calls.called_at
            > {{ dbt.dateadd('minute', cache_ttl_minutes, 'caching_calls.previous_called_at') }},
            true
        ) as is_cache_write
    from caching_calls
    inner join caching_call_prices
        on caching_calls.call_id = caching_call_prices.call_id
    where caching_call_prices.input_price is not null and caching_call_prices.cache_read_price is not null

),

caching as (

    select
        'prompt_caching' as opportunity_kind,
        feature_id,
        team_id,
        environment,
        provider,
        model_id,
        cast(null as {{ dbt.type_string() }}) as candidate_model_id,
        count(*) as window_calls,
        count(*) as affected_calls,
        max(shared_prefix_tokens) as shared_prefix_tokens,
        sum(case when is_cache_write then 1 else 0 end) as estimated_cache_writes,
        sum(list_cost_usd) as window_cost_usd,
        sum(
            shared_prefix_tokens * case
                when is_cache_write then input_price - cache_write_price
                else input_price - cache_read_price
            end
        ) as window_savings_usd
    from caching_writes
    group by feature_id, team_id, environment, provider, model_id

),

{# Model routing: the same tokens priced on the cheaper same-family candidate of routing_candidates. #}
routing_calls as (

    select
        window_calls.*,
        routing_candidates.candidate_model_id
    from window_calls
    inner join routing_candidates
        on
            window_calls.provider = routing_candidates.provider
            and window_calls.model_id = routing_candidates.model_id
    where window_calls.usage_status = 'reported'

),

routing_call_costs as (

    select
        routing_calls.call_id,
        routing_calls.list_cost_usd,
        sum(
            case standard_prices.usage_type
                when 'input' then coalesce(routing_calls.input_uncached_tokens, 0)
                when 'cache_read' then coalesce(routing_calls.cache_read_tokens, 0)
                when 'cache_write_5m' then coalesce(routing_calls.cache_write_5m_tokens, 0)
                when 'cache_write_1h' then coalesce(routing_calls.cache_write_1h_tokens, 0)
                when 'output' then coalesce(routing_calls.output_tokens, 0)
                else 0
            end * standard_prices.price_per_unit
        ) as candidate_cost_usd
    from routing_calls
    inner join standard_prices
        on
            routing_calls.provider = standard_prices.provider
            and routing_calls.candidate_model_id = standard_prices.model_id
            and routing_calls.call_date >= standard_prices.valid_from
            and routing_calls.call_date < standard_prices.valid_to_effective
    group by routing_calls.call_id, routing_calls.list_cost_usd

),

routing as (

    select
        'model_routing' as opportunity_kind,
        routing_calls.feature_id,
        routing_calls.team_id,
        routing_calls.environment,
        routing_calls.provider,
        routing_calls.model_id,
        routing_calls.candidate_model_id,
        count(*) as window_calls,
        count(*) as affected_calls,
        cast(null as {{ dbt.type_bigint() }}) as shared_prefix_tokens,
        cast(null as {{ dbt.type_bigint() }}) as estimated_cache_writes,
        sum(routing_calls.list_cost_usd) as window_cost_usd,
        sum(routing_call_costs.list_cost_usd - routing_call_costs.candidate_cost_usd) as window_savings_usd
    from routing_calls
    inner join routing_call_costs
        on routing_calls.call_id = routing_call_costs.call_id
    group by
        routing_calls.feature_id,
        routing_calls.team_id,
        routing_calls.environment,
        routing_calls.provider,
        routing_calls.model_id,
        routing_calls.candidate_model_id

),

{# Batch eligibility: standard-tier calls of non-interactive features (app_features.is_interactive = false) or of
    the savings_batch_environments, on models with a batch price, re-priced at the batch tier. #}
batch_calls as (

    select window_calls.*
    from window_calls
    inner join features
        on window_calls.feature_id = features.feature_id
    where
        window_calls.service_tier = 'standard'
        and window_calls.usage_status = 'reported'
        and (
            not coalesce(features.is_interactive, true)
            {%- if var('savings_batch_environments') %}
            or window_calls.environment in (
                {%- for environment in var('savings_batch_environments') %}
                '{{ environment }}'{{ ',' if not loop.last }}
                {%- endfor %}
            )
            {%- endif %}
        )

),

batch_call_costs as (

    select
        batch_calls.call_id,
        batch_calls.list_cost_usd,
        sum(
            case standard_prices.usage_type
                when 'input' then coalesce(batch_calls.input_uncached_tokens, 0)
                when 'cache_read' then coalesce(batch_calls.cache_read_tokens, 0)
                when 'cache_write_5m' then coalesce(batch_calls.cache_write_5m_tokens, 0)
                when 'cache_write_1h' then coalesce(batch_calls.cache_write_1h_tokens, 0)
                when 'output' then coalesce(batch_calls.output_tokens, 0)
                else 0
            end * coalesce(batch_prices.price_per_unit, standard_prices.price_per_unit)
        ) as batch_cost_usd
    from batch_calls
    inner join standard_prices
        on
            batch_calls.provider = standard_prices.provider
            and batch_calls.model_id = standard_prices.model_id
            and batch_calls.call_date >= standard_prices.valid_from
            and batch_calls.call_date < standard_prices.valid_to_effective
    left join batch_prices
        on
            standard_prices.provider = batch_prices.provider
            and standard_prices.model_id = batch_prices.model_id
            and standard_prices.usage_type = batch_prices.usage_type
            and batch_calls.call_date >= batch_prices.valid_from
            and batch_calls.call_date < batch_prices.valid_to_effective
    group by batch_calls.call_id, batch_calls.list_cost_usd
    having max(case when batch_prices.price_per_unit is null then 0 else 1 end) = 1

),

batch as (

    select
        'batch_eligible' as opportunity_kind,
        batch_calls.feature_id,
        batch_calls.team_id,
        batch_calls.environment,
        batch_calls.provider,
        batch_calls.model_id,
        cast(null as {{ dbt.type_string() }}) as candidate_model_id,
        count(*) as window_calls,
        count(*) as affected_calls,
        cast(null as {{ dbt.type_bigint() }}) as shared_prefix_tokens,
        cast(null as {{ dbt.type_bigint() }}) as estimated_cache_writes,
        sum(batch_calls.list_cost_usd) as window_cost_usd,
        sum(batch_call_costs.list_cost_usd - batch_call_costs.batch_cost_usd) as window_savings_usd
    from batch_calls
    inner join batch_call_costs
        on batch_calls.call_id = batch_call_costs.call_id
    group by
        batch_calls.feature_id,
        batch_calls.team_id,
        batch_calls.environment,
        batch_calls.provider,
        batch_calls.model_id

),

{# Retries and failures: the cost of failed attempts (errors that still reported usage), per feature x model. #}
retry_groups as (

    select
        'retry_waste' as opportunity_kind,
        feature_id,
        team_id,
        environment,
        provider,
        model_id,
        cast(null as {{ dbt.type_string() }}) as candidate_model_id,
        count(*) as window_calls,
        sum(case when is_error and list_cost_usd > 0 then 1 else 0 end) as affected_calls,
        cast(null as {{ dbt.type_bigint() }}) as shared_prefix_tokens,
        cast(null as {{ dbt.type_bigint() }}) as estimated_cache_writes,
        sum(list_cost_usd) as window_cost_usd,
        sum(case when is_error then list_cost_usd else 0 end) as window_savings_usd
    from window_calls
    group by feature_id, team_id, environment, provider, model_id

),

retries as (

    select *
    from retry_groups
    where
        window_savings_usd >= {{ var('savings_retry_min_waste_share') }} * window_cost_usd
        and window_savings_usd > 0

),

{# Non-production spend: a feature's spend in a non-production environment beyond the allowed share of its
    production spend (the excess is the saving). #}
feature_environment_costs as (

    select
        feature_id,
        team_id,
        environment,
        count(*) as window_calls,
        sum(list_cost_usd) as window_cost_usd
    from window_calls
    group by feature_id, team_id, environment

),

non_production as (

    select
        'non_production' as opportunity_kind,
        non_production_costs.feature_id,
        non_production_costs.team_id,
        non_production_costs.environment,
        cast(null as {{ dbt.type_string() }}) as provider,
        cast(null as {{ dbt.type_string() }}) as model_id,
        cast(null as {{ dbt.type_string() }}) as candidate_model_id,
        non_production_costs.window_calls,
        non_production_costs.window_calls as affected_calls,
        cast(null as {{ dbt.type_bigint() }}) as shared_prefix_tokens,
        cast(null as {{ dbt.type_bigint() }}) as estimated_cache_writes,
        non_production_costs.window_cost_usd,
        non_production_costs.window_cost_usd
        - {{ var('savings_nonprod_max_share_of_production') }} * coalesce(production_costs.window_cost_usd, 0)
            as window_savings_usd
    from feature_environment_costs as non_production_costs
    left join feature_environment_costs as production_costs
        on
            non_production_costs.feature_id = production_costs.feature_id
            and production_costs.environment = 'production'
    where non_production_costs.environment in (
        {%- for environment in var('savings_nonproduction_environments') %}
            '{{ environment }}'{{ ',' if not loop.last }}
        {%- endfor %}
    )

),

{# Prompt bloat: a feature x model x environment whose input tokens per call (or input/output token ratio) over the
    last savings_bloat_recent_days days grew by at least savings_bloat_min_growth_share against its own baseline, the
    savings_bloat_baseline_days days before, with at least savings_bloat_min_calls calls in each window. The saving is
    the recent calls' input above the baseline input per call, priced at the uncached input price. #}
bloat_bounds as (

    select
        as_of.as_of_date,
        as_of.first_call_date,
        cast({{ dbt.dateadd('day', 1 - var('savings_bloat_recent_days'), 'as_of.as_of_date') }} as date)
            as recent_start_date,
        cast(
            {{ dbt.dateadd('day', 1 - var('savings_bloat_recent_days') - var('savings_bloat_baseline_days'),
                'as_of.as_of_date') }} as date
        ) as baseline_start_date
    from as_of

),

bloat_window as (

    select
        *,
        {{ dbt.datediff(
            'case when first_call_date > recent_start_date then first_call_date else recent_start_date end',
            'as_of_date', 'day') }} + 1 as recent_observed_days
    from bloat_bounds

),

bloat_calls as (

    select
        calls.*,
        calls.call_date >= bloat_window.recent_start_date as is_recent
    from calls
    inner join bloat_window
        on
            calls.call_date >= bloat_window.baseline_start_date
            and calls.call_date <= bloat_window.as_of_date
    where calls.pricing_status = 'priced' and calls.usage_status = 'reported'

),

bloat_group_totals as (

    select
        feature_id,
        team_id,
        environment,
        provider,
        model_id,
        sum(case when is_recent then 0 else 1 end) as baseline_calls,
        sum(case when is_recent then 0 else input_total_tokens end) as baseline_input_tokens,
        sum(case when is_recent then 0 else output_tokens end) as baseline_output_tokens,
        sum(case when is_recent then 1 else 0 end) as recent_calls,
        sum(case when is_recent then input_total_tokens else 0 end) as recent_input_tokens,
        sum(case when is_recent then output_tokens else 0 end) as recent_output_tokens
    from bloat_calls
    group by feature_id, team_id, environment, provider, model_id

),

bloat_groups as (

    select
        *,
        {{ divide('baseline_input_tokens', 'baseline_calls') }} as baseline_input_tokens_per_call,
        {{ divide('recent_input_tokens', 'recent_calls') }} as recent_input_tokens_per_call,
        cast(baseline_input_tokens as {{ type_double() }}) / nullif(baseline_output_tokens, 0)
            as baseline_input_output_ratio,
        cast(recent_input_tokens as {{ type_double() }}) / nullif(recent_output_tokens, 0)
            as recent_input_output_ratio
    from bloat_group_totals
    where
        baseline_calls >= {{ var('savings_bloat_min_calls') }}
        and recent_calls >= {{ var('savings_bloat_min_calls') }}

),

bloat_flagged as (

    select *
    from bloat_groups
    where
        recent_input_tokens_per_call
        >= (1 + {{ var('savings_bloat_min_growth_share') }}) * baseline_input_tokens_per_call
        or recent_input_output_ratio
        >= (1 + {{ var('savings_bloat_min_growth_share') }}) * baseline_input_output_ratio

),

bloat as (

    select
        'prompt_bloat' as opportunity_kind,
        bloat_flagged.feature_id,
        bloat_flagged.team_id,
        bloat_flagged.environment,
        bloat_flagged.provider,
        bloat_flagged.model_id,
        cast(null as {{ dbt.type_string() }}) as candidate_model_id,
        count(*) as window_calls,
        count(*) as affected_calls,
        cast(null as {{ dbt.type_bigint() }}) as shared_prefix_tokens,
        cast(null as {{ dbt.type_bigint() }}) as estimated_cache_writes,
        sum(bloat_calls.list_cost_usd) as window_cost_usd,
        sum(
            (bloat_calls.input_total_tokens - bloat_flagged.baseline_input_tokens_per_call)
            * input_price.price_per_unit
        ) as window_savings_usd,
        bloat_window.recent_start_date as window_start_date,
        bloat_window.recent_observed_days as observed_days
    from bloat_flagged
    inner join bloat_calls
        on
            bloat_flagged.feature_id = bloat_calls.feature_id
            and bloat_flagged.team_id = bloat_calls.team_id
            and bloat_flagged.environment = bloat_calls.environment
            and bloat_flagged.provider = bloat_calls.provider
            and bloat_flagged.model_id = bloat_calls.model_id
            and bloat_calls.is_recent
    inner join standard_prices as input_price
        on
            bloat_calls.provider = input_price.provider
            and bloat_calls.model_id = input_price.model_id
            and input_price.usage_type = 'input'
            and bloat_calls.call_date >= input_price.valid_from
            and bloat_calls.call_date < input_price.valid_to_effective
    cross join bloat_window
    group by
        bloat_flagged.feature_id,
        bloat_flagged.team_id,
        bloat_flagged.environment,
        bloat_flagged.provider,
        bloat_flagged.model_id,
        bloat_window.recent_start_date,
        bloat_window.recent_observed_days

),

lookback_kinds as (

    select * from caching
    union all
    select * from routing
    union all
    select * from batch
    union all
    select * from retries
    union all
    select * from non_production

),

{# Every kind but prompt bloat is measured over the savings_lookback_days window. #}
unioned as (

    select
        lookback_kinds.*,
        window_days.window_start_date,
        window_days.observed_days
    from lookback_kinds
    cross join window_days
    union all
    select * from bloat

),

estimated as (

    select
        unioned.*,
        window_days.as_of_date,
        cast(
            unioned.window_savings_usd * {{ var('savings_days_per_month') }} / unioned.observed_days
            as decimal(38, 12)
        ) as estimated_monthly_savings_usd
    from unioned
    cross join window_days

),

listed as (

    select *
    from estimated
    where estimated_monthly_savings_usd >= {{ var('savings_min_monthly_usd') }}

),

final as (

    select
        {{ dbt.hash(dbt.concat([
            'listed.opportunity_kind', "'|'", 'listed.feature_id', "'|'", 'listed.environment', "'|'",
            "coalesce(listed.provider, '')", "'|'", "coalesce(listed.model_id, '')"
        ])) }} as opportunity_id,
        cast(row_number() over (
            order by
                listed.estimated_monthly_savings_usd desc,
                listed.opportunity_kind asc,
                listed.feature_id asc,
                listed.environment asc,
                listed.model_id asc
        ) as integer) as savings_rank,
        listed.opportunity_kind,
        listed.feature_id,
        listed.team_id,
        listed.environment,
        listed.provider,
        listed.model_id,
        listed.candidate_model_id,
        listed.opportunity_kind = 'model_routing' as is_estimate_needs_quality_check,
        listed.window_start_date,
        listed.as_of_date,
        cast(listed.observed_days as integer) as observed_days,
        cast(listed.window_calls as {{ dbt.type_bigint() }}) as window_calls,
        cast(listed.affected_calls as {{ dbt.type_bigint() }}) as affected_calls,
        cast(listed.shared_prefix_tokens as {{ dbt.type_bigint() }}) as shared_prefix_tokens,
        cast(listed.estimated_cache_writes as {{ dbt.type_bigint() }}) as estimated_cache_writes,
        bloat_groups.baseline_input_tokens_per_call,
        bloat_groups.recent_input_tokens_per_call,
        cast(bloat_groups.baseline_input_output_ratio as {{ type_double() }}) as baseline_input_output_ratio,
        cast(bloat_groups.recent_input_output_ratio as {{ type_double() }}) as recent_input_output_ratio,
        cast(listed.window_cost_usd as decimal(38, 12)) as window_cost_usd,
        cast(listed.window_savings_usd as decimal(38, 12)) as window_savings_usd,
        listed.estimated_monthly_savings_usd
    from listed
    left join bloat_groups
        on
            listed.opportunity_kind = 'prompt_bloat'
            and listed.feature_id = bloat_groups.feature_id
            and listed.team_id = bloat_groups.team_id
            and listed.environment = bloat_groups.environment
            and listed.provider = bloat_groups.provider
            and listed.model_id = bloat_groups.model_id

)

select * from final
