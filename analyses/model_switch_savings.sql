{#-
What a model switch would save: the usage billed on each model, repriced at the list prices another model of the
same provider and mode has in the rate-card seeds on the same call dates.

How to read it: one row per (current model, candidate model). `current_list_cost_usd` is what the usage cost at
list price; `switched_list_cost_usd` is the same tokens (same usage types, service tier and dates) priced from the
candidate's rate card; `savings_usd` = current - switched (negative: the switch costs more). A usage type the
candidate has no price for falls back to its parent's price (cache read -> input, 1h cache write -> 5m write);
lines still without a price are counted in `lines_without_price` and left out of both totals, so only rows with
`is_complete_repricing` compare like with like. Base-tier prices only (tier_threshold_tokens = 0): long-context
cliffs of the candidate are ignored. Quality, latency and token-count differences between models are NOT modelled:
this is the price of the same tokens, an upper bound on what a switch changes.

Restrict with vars: `dbt compile -s model_switch_savings --vars '{model_switch_from: gpt-4o, model_switch_to:
gpt-4o-mini}'` (either may be omitted: every model of the provider is then compared).
-#}
{%- set switch_from = var('model_switch_from', none) -%}
{%- set switch_to = var('model_switch_to', none) -%}

with cost_lines as (
    select * from {{ ref('int_llm_cost_lines') }}
),

prices as (
    select * from {{ ref('stg_rate_cards__prices') }}
),

usage_types as (
    select * from {{ ref('stg_rate_cards__usage_types') }}
),

models as (
    select * from {{ ref('stg_rate_cards__models') }}
),

fx_rates as (
    select * from {{ ref('stg_rate_cards__fx_rates') }}
),

current_lines as (
    select
        cost_lines.cost_line_id,
        cost_lines.call_id,
        cost_lines.call_date,
        cost_lines.provider,
        cost_lines.model_id as from_model_id,
        cost_lines.service_tier,
        cost_lines.billed_usage_type,
        cost_lines.unit,
        cost_lines.quantity,
        cost_lines.list_cost_usd
    from cost_lines
    where cost_lines.line_status = 'priced'
    {%- if switch_from %}
        and cost_lines.model_id = '{{ switch_from }}'
    {%- endif %}
),

current_models as (
    select distinct
        provider,
        from_model_id
    from current_lines
),

candidates as (
    select distinct
        current_models.provider,
        current_models.from_model_id,
        candidate_models.model_id as to_model_id
    from current_models
    inner join models as from_models
        on
            current_models.provider = from_models.provider
            and current_models.from_model_id = from_models.model_id
    inner join models as candidate_models
        on
            from_models.provider = candidate_models.provider
            and from_models.mode = candidate_models.mode
            and from_models.model_id <> candidate_models.model_id
    {%- if switch_to %}
    where candidate_models.model_id = '{{ switch_to }}'
    {%- endif %}
),

base_prices as (
    -- Base-tier, provider-wide prices (converted to USD below, at the FX rate of the call date).
    select
        prices.provider,
        prices.model_id,
        prices.usage_type,
        prices.service_tier,
        prices.unit,
        prices.currency,
        prices.price_per_unit,
        prices.valid_from,
        prices.valid_to_effective
    from prices
    where
        prices.tier_threshold_tokens = 0
        and prices.region_scope = '*'
),

repriced_lines as (
    select
        current_lines.cost_line_id,
        current_lines.call_id,
        current_lines.from_model_id,
        candidates.to_model_id,
        current_lines.list_cost_usd,
        current_lines.quantity
        * coalesce(own_price.price_per_unit, parent_price.price_per_unit)
        * coalesce(own_fx.rate, parent_fx.rate) as switched_list_cost_usd
    from current_lines
    inner join candidates
        on
            current_lines.provider = candidates.provider
            and current_lines.from_model_id = candidates.from_model_id
    left outer join usage_types
        on current_lines.billed_usage_type = usage_types.usage_type
    left outer join base_prices as own_price
        on
            current_lines.provider = own_price.provider
            and candidates.to_model_id = own_price.model_id
            and current_lines.billed_usage_type = own_price.usage_type
            and current_lines.service_tier = own_price.service_tier
            and current_lines.unit = own_price.unit
            and current_lines.call_date >= own_price.valid_from
            and current_lines.call_date < own_price.valid_to_effective
    left outer join base_prices as parent_price
        on
            own_price.price_per_unit is null
            and current_lines.provider = parent_price.provider
            and candidates.to_model_id = parent_price.model_id
            and usage_types.parent_usage_type = parent_price.usage_type
            and current_lines.service_tier = parent_price.service_tier
            and current_lines.unit = parent_price.unit
            and current_lines.call_date >= parent_price.valid_from
            and current_lines.call_date < parent_price.valid_to_effective
    left outer join fx_rates as own_fx
        on
            own_price.currency = own_fx.currency_from
            and own_fx.currency_to = 'USD'
            and current_lines.call_date >= own_fx.valid_from
            and current_lines.call_date < own_fx.valid_to_effective
    left outer join fx_rates as parent_fx
        on
            parent_price.currency = parent_fx.currency_from
            and parent_fx.currency_to = 'USD'
            and current_lines.call_date >= parent_fx.valid_from
            and current_lines.call_date < parent_fx.valid_to_effective
),

final as (
    select
        from_model_id,
        to_model_id,
        count(distinct call_id) as calls,
        count(*) as cost_lines,
        sum(case when switched_list_cost_usd is null then 1 else 0 end) as lines_without_price,
        sum(case when switched_list_cost_usd is null then 0 else 1 end) = count(*) as is_complete_repricing,
        cast(sum(case when switched_list_cost_usd is null then 0 else list_cost_usd end) as decimal(38, 12))
            as current_list_cost_usd,
        cast(sum(switched_list_cost_usd) as decimal(38, 12)) as switched_list_cost_usd,
        cast(
            sum(case when switched_list_cost_usd is null then 0 else list_cost_usd - switched_list_cost_usd end)
            as decimal(38, 12)
        ) as savings_usd,
        cast(
            100 * sum(case when switched_list_cost_usd is null then 0 else list_cost_usd - switched_list_cost_usd end)
            / nullif(sum(case when switched_list_cost_usd is null then 0 else list_cost_usd end), 0)
            as decimal(38, 12)
        ) as savings_pct
    from repriced_lines
    group by from_model_id, to_model_id
)

select * from final
order by savings_usd desc
