{{ config(**incremental_by_date('trace_date')) }}
{%- set window = incremental_window('trace_date') %}

-- One row per resolved call x usage type with a non-zero quantity: the price row used, list, net and reporting cost.
with

int_llm_calls as (

    {{ select_incremental_parent(ref('int_llm_calls'), window) }}

),

int_llm_calls_model_resolved as (

    {{ select_incremental_parent(ref('int_llm_calls_model_resolved'), window) }}

),

stg_rate_cards__prices as (

    select * from {{ ref('stg_rate_cards__prices') }}

),

stg_rate_cards__usage_types as (

    select * from {{ ref('stg_rate_cards__usage_types') }}

),

stg_rate_cards__contract_discounts as (

    select * from {{ ref('stg_rate_cards__contract_discounts') }}

),

stg_rate_cards__fx_rates as (

    select * from {{ ref('stg_rate_cards__fx_rates') }}

),

calls as (

    select
        int_llm_calls.call_id,
        int_llm_calls.call_date,
        int_llm_calls.trace_date,
        int_llm_calls.provider,
        resolved.model_id,
        resolved.region_scope,
        coalesce(int_llm_calls.service_tier, 'standard') as service_tier,
        -- Basis of the long-context cliff: the request's whole input (uncached + cache read + cache writes).
        coalesce(
            int_llm_calls.input_total_tokens,
            coalesce(int_llm_calls.input_uncached_tokens, 0)
            + coalesce(int_llm_calls.cache_read_tokens, 0)
            + coalesce(int_llm_calls.cache_write_5m_tokens, 0)
            + coalesce(int_llm_calls.cache_write_1h_tokens, 0)
        ) as input_total_tokens,
        int_llm_calls.input_uncached_tokens,
        int_llm_calls.cache_read_tokens,
        int_llm_calls.cache_write_5m_tokens,
        int_llm_calls.cache_write_1h_tokens,
        int_llm_calls.output_tokens,
        int_llm_calls.reasoning_tokens,
        int_llm_calls.input_audio_tokens,
        int_llm_calls.output_audio_tokens,
        int_llm_calls.input_image_tokens
    from int_llm_calls
    inner join int_llm_calls_model_resolved as resolved
        on int_llm_calls.call_id = resolved.call_id
    where resolved.resolution_status = 'resolved'

),

usage_quantities as (

    select
        call_id,
        'input' as usage_type,
        input_uncached_tokens as quantity
    from calls
    union all
    select
        call_id,
        'cache_read' as usage_type,
        cache_read_tokens as quantity
    from calls
    union all
    select
        call_id,
        'cache_write_5m' as usage_type,
        cache_write_5m_tokens as quantity
    from calls
    union all
    select
        call_id,
        'cache_write_1h' as usage_type,
        cache_write_1h_tokens as quantity
    from calls
    union all
    select
        call_id,
        'output' as usage_type,
        output_tokens as quantity
    from calls
    union all
    select
        call_id,
        'reasoning' as usage_type,
        reasoning_tokens as quantity
    from calls
    union all
    select
        call_id,
        'input_audio' as usage_type,
        input_audio_tokens as quantity
    from calls
    union all
    select
        call_id,
        'output_audio' as usage_type,
        output_audio_tokens as quantity
    from calls
    union all
    select
        call_id,
        'input_image' as usage_type,
        input_image_tokens as quantity
    from calls
    union all
    -- A per-request fee applies once per call when the model has one (no line otherwise).
    select
        call_id,
        'request' as usage_type,
        cast(1 as {{ dbt.type_bigint() }}) as quantity
    from calls

),

usage_lines as (

    select
        usage_quantities.call_id,
        usage_quantities.usage_type,
        cast(usage_quantities.quantity as {{ dbt.type_bigint() }}) as quantity,
        usage_types.parent_usage_type,
        coalesce(usage_types.is_subset_of_parent, false) as is_subset_of_parent,
        -- A usage type this model emits but the seed rate_card_usage_types lacks is kept (never dropped): its line
        -- gets line_status unknown_usage_type and its call is unpriced.
        usage_types.usage_type is null as is_unknown_usage_type
    from usage_quantities
    left outer join stg_rate_cards__usage_types as usage_types
        on usage_quantities.usage_type = usage_types.usage_type
    where usage_quantities.quantity > 0

),

prices_in_force as (

    -- Every price row that may apply to the call; the best one per usage type is: the call's own service tier
    -- before standard, the call's own region scope before '*', then the highest long-context tier reached
    -- (cliff: strictly greater than the threshold, on the request's total input).
    select
        calls.call_id,
        calls.service_tier as call_service_tier,
        prices.price_id,
        prices.usage_type,
        prices.service_tier as price_service_tier,
        prices.region_scope as price_region_scope,
        prices.tier_threshold_tokens,
        prices.unit,
        prices.unit_quantity,
        prices.price,
        prices.price_per_unit,
        prices.currency,
        row_number() over (
            partition by calls.call_id, prices.usage_type
            order by
                case when prices.service_tier = calls.service_tier then 0 else 1 end,
                case when prices.region_scope = calls.region_scope then 0 else 1 end,
                prices.tier_threshold_tokens desc
        ) as price_rank
    from calls
    inner join stg_rate_cards__prices as prices
        on
            calls.provider = prices.provider
            and calls.model_id = prices.model_id
            and calls.call_date >= prices.valid_from
            and calls.call_date < prices.valid_to_effective
            and prices.service_tier in (calls.service_tier, 'standard')
            and prices.region_scope in (calls.region_scope, '*')
            and (prices.tier_threshold_tokens = 0 or calls.input_total_tokens > prices.tier_threshold_tokens)

),

call_prices as (

    select * from prices_in_force
    where price_rank = 1

),

billing_candidates as (

    -- A usage type without its own price is billed as its parent, then its grandparent (rate_card_usage_types).
    select
        usage_lines.call_id,
        usage_lines.usage_type,
        usage_lines.usage_type as billed_usage_type,
        0 as chain_level
    from usage_lines
    union all
    select
        usage_lines.call_id,
        usage_lines.usage_type,
        usage_lines.parent_usage_type as billed_usage_type,
        1 as chain_level
    from usage_lines
    where usage_lines.parent_usage_type is not null
    union all
    select
        usage_lines.call_id,
        usage_lines.usage_type,
        parent_types.parent_usage_type as billed_usage_type,
        2 as chain_level
    from usage_lines
    inner join stg_rate_cards__usage_types as parent_types
        on usage_lines.parent_usage_type = parent_types.usage_type
    where parent_types.parent_usage_type is not null

),

billed_candidates as (

    select
        billing_candidates.call_id,
        billing_candidates.usage_type,
        billing_candidates.billed_usage_type,
        billing_candidates.chain_level,
        call_prices.price_id,
        call_prices.call_service_tier,
        call_prices.price_service_tier,
        call_prices.price_region_scope,
        call_prices.tier_threshold_tokens,
        call_prices.unit,
        call_prices.unit_quantity,
        call_prices.price,
        call_prices.price_per_unit,
        call_prices.currency,
        row_number() over (
            partition by billing_candidates.call_id, billing_candidates.usage_type
            order by billing_candidates.chain_level
        ) as billing_rank
    from billing_candidates
    inner join call_prices
        on
            billing_candidates.call_id = call_prices.call_id
            and billing_candidates.billed_usage_type = call_prices.usage_type

),

billed_lines as (

    select
        usage_lines.call_id,
        usage_lines.usage_type,
        usage_lines.quantity,
        usage_lines.parent_usage_type,
        usage_lines.is_subset_of_parent,
        usage_lines.is_unknown_usage_type,
        billed.billed_usage_type,
        billed.chain_level,
        billed.price_id,
        billed.price_service_tier,
        billed.price_region_scope,
        billed.tier_threshold_tokens,
        billed.unit,
        billed.unit_quantity,
        billed.price,
        billed.price_per_unit,
        billed.currency
    from usage_lines
    left outer join billed_candidates as billed
        on
            usage_lines.call_id = billed.call_id
            and usage_lines.usage_type = billed.usage_type
            and billed.billing_rank = 1
            and not usage_lines.is_unknown_usage_type
    -- A subset (reasoning, audio, image) not priced apart stays inside its parent's quantity: no line of its own.
    -- A per-request fee exists only where the model has one.
    where
        usage_lines.is_unknown_usage_type
        or (
            not (usage_lines.is_subset_of_parent and coalesce(billed.chain_level, 1) > 0)
            and not (usage_lines.usage_type = 'request' and billed.price_id is null)
        )

),

subset_deductions as (

    -- A subset priced apart is taken out of its parent (leaf = parent - priced subsets).
    select
        call_id,
        parent_usage_type as usage_type,
        sum(quantity) as deducted_quantity
    from billed_lines
    where is_subset_of_parent
    group by call_id, parent_usage_type

),

leaf_lines as (

    select
        billed_lines.*,
        billed_lines.quantity - coalesce(subset_deductions.deducted_quantity, 0) as leaf_quantity
    from billed_lines
    left outer join subset_deductions
        on
            billed_lines.call_id = subset_deductions.call_id
            and billed_lines.usage_type = subset_deductions.usage_type

),

costed_lines as (

    select
        leaf_lines.*,
        cast(
            cast(leaf_lines.leaf_quantity as decimal(38, 0)) * leaf_lines.price_per_unit as decimal(38, 12)
        ) as list_cost
    from leaf_lines
    where leaf_lines.leaf_quantity <> 0

),

discount_candidates as (

    select
        costed_lines.call_id,
        costed_lines.usage_type,
        discounts.discount_id,
        discounts.contract_id,
        discounts.discount_pct,
        row_number() over (
            partition by costed_lines.call_id, costed_lines.usage_type
            order by discounts.wildcard_count, discounts.discount_id
        ) as discount_rank
    from costed_lines
    inner join calls
        on costed_lines.call_id = calls.call_id
    inner join stg_rate_cards__contract_discounts as discounts
        on
            calls.provider = discounts.provider
            and discounts.model_id in (calls.model_id, '*')
            and discounts.service_tier in (calls.service_tier, '*')
            and discounts.usage_type in (costed_lines.usage_type, '*')
            and calls.call_date >= discounts.valid_from
            and calls.call_date < discounts.valid_to_effective
    where costed_lines.price_id is not null

),

final as (

    select
        {{ dbt.concat(["costed_lines.call_id", "'|'", "costed_lines.usage_type"]) }} as cost_line_id,
        costed_lines.call_id,
        calls.call_date,
        calls.provider,
        calls.model_id,
        calls.service_tier,
        calls.region_scope,
        calls.input_total_tokens,
        costed_lines.usage_type,
        costed_lines.billed_usage_type,
        costed_lines.leaf_quantity as quantity,
        costed_lines.unit,
        costed_lines.price_id,
        costed_lines.price_service_tier,
        costed_lines.price_region_scope,
        costed_lines.tier_threshold_tokens,
        coalesce(costed_lines.tier_threshold_tokens > 0, false) as is_long_context_tier,
        costed_lines.unit_quantity,
        costed_lines.price as unit_price,
        costed_lines.currency,
        costed_lines.list_cost,
        cast(costed_lines.list_cost * to_usd.rate as decimal(38, 12)) as list_cost_usd,
        discounts.discount_id,
        discounts.contract_id,
        cast(coalesce(discounts.discount_pct, 0) as decimal(38, 12)) as discount_pct,
        cast(
            costed_lines.list_cost * to_usd.rate * (1 - coalesce(discounts.discount_pct, 0)) as decimal(38, 12)
        ) as net_cost_usd,
        '{{ var("reporting_currency") }}' as reporting_currency,
        cast(
            cast(
                costed_lines.list_cost * to_usd.rate * (1 - coalesce(discounts.discount_pct, 0)) as decimal(38, 12)
            ) * to_reporting.rate as decimal(38, 12)
        ) as net_cost_reporting,
        case
            when costed_lines.is_unknown_usage_type then 'unknown_usage_type'
            when costed_lines.price_id is null then 'no_price_in_force'
            when to_usd.rate is null or to_reporting.rate is null then 'no_fx_rate'
            else 'priced'
        end as line_status,
        calls.trace_date,
        {{ incremental_metadata_columns(window) }}
    from costed_lines
    inner join calls
        on costed_lines.call_id = calls.call_id
    left outer join discount_candidates as discounts
        on
            costed_lines.call_id = discounts.call_id
            and costed_lines.usage_type = discounts.usage_type
            and discounts.discount_rank = 1
    left outer join stg_rate_cards__fx_rates as to_usd
        on
            costed_lines.currency = to_usd.currency_from
            and to_usd.currency_to = 'USD'
            and calls.call_date >= to_usd.valid_from
            and calls.call_date < to_usd.valid_to_effective
    left outer join stg_rate_cards__fx_rates as to_reporting
        on
            to_reporting.currency_from = 'USD'
            and to_reporting.currency_to = '{{ var("reporting_currency") }}'
            and calls.call_date >= to_reporting.valid_from
            and calls.call_date < to_reporting.valid_to_effective

)

select * from final
