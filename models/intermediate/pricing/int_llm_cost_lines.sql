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

{# The usage types read off each call, and the call column that holds each quantity ('request': one per call). #}
{%- set usage_columns = [
    ('input', 'input_uncached_tokens'), ('cache_read', 'cache_read_tokens'),
    ('cache_write_5m', 'cache_write_5m_tokens'), ('cache_write_1h', 'cache_write_1h_tokens'),
    ('output', 'output_tokens'), ('reasoning', 'reasoning_tokens'), ('input_audio', 'input_audio_tokens'),
    ('output_audio', 'output_audio_tokens'), ('input_image', 'input_image_tokens'), ('request', none),
] -%}

usage_kinds as (
    {%- for usage_type, column in usage_columns %}

        select '{{ usage_type }}' as usage_type
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}

),

{# One row per call and usage type with a positive quantity, the call's own columns carried along: every later step
    reads these rows once, with no join back to the calls (a join of millions of rows to millions of rows, each a
    hash table in memory at once, is what ran DuckDB out of memory under a small memory_limit). #}
usage_lines as (

    select
        calls.*,
        usage_kinds.usage_type,
        usage_types.parent_usage_type,
        coalesce(usage_types.is_subset_of_parent, false) as is_subset_of_parent,
        -- A usage type this model emits but the seed rate_card_usage_types lacks is kept (never dropped): its line
        -- gets line_status unknown_usage_type and its call is unpriced.
        usage_types.usage_type is null as is_unknown_usage_type,
        cast(case usage_kinds.usage_type
            {%- for usage_type, column in usage_columns %}
                when '{{ usage_type }}' then {{ 'calls.' ~ column if column else '1' }}
            {%- endfor %}
        end as {{ dbt.type_bigint() }}) as quantity
    from calls
    cross join usage_kinds
    left outer join stg_rate_cards__usage_types as usage_types
        on usage_kinds.usage_type = usage_types.usage_type

),

{# A usage type without its own price is billed as its parent, then its grandparent (rate_card_usage_types): the
    usage types each one may be billed as, nearest first (a handful of rows). #}
billing_chain as (

    select
        usage_type,
        usage_type as billed_usage_type,
        0 as chain_level
    from stg_rate_cards__usage_types
    union all
    select
        usage_type,
        parent_usage_type as billed_usage_type,
        1 as chain_level
    from stg_rate_cards__usage_types
    where parent_usage_type is not null
    union all
    select
        child_types.usage_type,
        parent_types.parent_usage_type as billed_usage_type,
        2 as chain_level
    from stg_rate_cards__usage_types as child_types
    inner join stg_rate_cards__usage_types as parent_types
        on child_types.parent_usage_type = parent_types.usage_type
    where parent_types.parent_usage_type is not null

),

{# Every price row that may bill the line, ranked: the nearest usage type in the billing chain that has a price, then
    the call's own service tier before standard, the call's own region scope before '*', then the highest
    long-context tier reached (cliff: strictly greater than the threshold, on the request's total input). A line
    with no price in force keeps one row with a NULL price. #}
price_candidates as (

    select
        usage_lines.*,
        billing_chain.billed_usage_type,
        billing_chain.chain_level,
        prices.price_id,
        prices.service_tier as price_service_tier,
        prices.region_scope as price_region_scope,
        prices.tier_threshold_tokens,
        prices.unit,
        prices.unit_quantity,
        prices.price,
        prices.price_per_unit,
        prices.currency,
        row_number() over (
            partition by usage_lines.call_id, usage_lines.usage_type
            order by
                case when prices.price_id is null then 1 else 0 end asc,
                billing_chain.chain_level asc,
                case when prices.service_tier = usage_lines.service_tier then 0 else 1 end asc,
                case when prices.region_scope = usage_lines.region_scope then 0 else 1 end asc,
                prices.tier_threshold_tokens desc
        ) as billing_rank
    from usage_lines
    left outer join billing_chain
        on usage_lines.usage_type = billing_chain.usage_type
    left outer join stg_rate_cards__prices as prices
        on
            billing_chain.billed_usage_type = prices.usage_type
            and usage_lines.provider = prices.provider
            and usage_lines.model_id = prices.model_id
            and usage_lines.call_date >= prices.valid_from
            and usage_lines.call_date < prices.valid_to_effective
            and prices.service_tier in (usage_lines.service_tier, 'standard')
            and prices.region_scope in (usage_lines.region_scope, '*')
            and (prices.tier_threshold_tokens = 0 or usage_lines.input_total_tokens > prices.tier_threshold_tokens)
    where usage_lines.quantity > 0

),

billed_lines as (

    select
        call_id,
        call_date,
        trace_date,
        provider,
        model_id,
        region_scope,
        service_tier,
        input_total_tokens,
        usage_type,
        quantity,
        parent_usage_type,
        is_subset_of_parent,
        is_unknown_usage_type,
        case when price_id is not null then billed_usage_type end as billed_usage_type,
        case when price_id is not null then chain_level end as chain_level,
        price_id,
        price_service_tier,
        price_region_scope,
        tier_threshold_tokens,
        unit,
        unit_quantity,
        price,
        price_per_unit,
        currency
    from price_candidates
    -- A subset (reasoning, audio, image) not priced apart stays inside its parent's quantity: no line of its own.
    -- A per-request fee exists only where the model has one.
    where
        billing_rank = 1
        and (
            is_unknown_usage_type
            or (
                not (is_subset_of_parent and (price_id is null or chain_level > 0))
                and not (usage_type = 'request' and price_id is null)
            )
        )

),

subset_deductions as (

    -- A subset priced apart is taken out of its parent (leaf = parent - priced subsets): few rows, only calls with
    -- such a subset.
    select
        call_id,
        parent_usage_type as usage_type,
        sum(quantity) as deducted_quantity
    from billed_lines
    where is_subset_of_parent
    group by call_id, parent_usage_type

),

costed_lines as (

    select
        leaf_lines.*,
        cast(
            cast(leaf_lines.leaf_quantity as decimal(38, 0)) * leaf_lines.price_per_unit as decimal(38, 12)
        ) as list_cost
    from (
        select
            billed_lines.*,
            billed_lines.quantity - coalesce(subset_deductions.deducted_quantity, 0) as leaf_quantity
        from billed_lines
        left outer join subset_deductions
            on
                billed_lines.call_id = subset_deductions.call_id
                and billed_lines.usage_type = subset_deductions.usage_type
    ) as leaf_lines
    where leaf_lines.leaf_quantity <> 0

),

{# The contract discount of each priced line: the most specific matching discount (fewest wildcards), then the
    lowest discount_id; a line without a matching discount keeps one row with a NULL discount. #}
discounted as (

    select
        costed_lines.*,
        discounts.discount_id,
        discounts.contract_id,
        discounts.discount_pct,
        row_number() over (
            partition by costed_lines.call_id, costed_lines.usage_type
            order by
                case when discounts.discount_id is null then 1 else 0 end,
                discounts.wildcard_count,
                discounts.discount_id
        ) as discount_rank
    from costed_lines
    left outer join stg_rate_cards__contract_discounts as discounts
        on
            costed_lines.price_id is not null
            and costed_lines.provider = discounts.provider
            and discounts.model_id in (costed_lines.model_id, '*')
            and discounts.service_tier in (costed_lines.service_tier, '*')
            and discounts.usage_type in (costed_lines.usage_type, '*')
            and costed_lines.call_date >= discounts.valid_from
            and costed_lines.call_date < discounts.valid_to_effective

),

final as (

    select
        {{ dbt.concat(["discounted.call_id", "'|'", "discounted.usage_type"]) }} as cost_line_id,
        discounted.call_id,
        discounted.call_date,
        discounted.provider,
        discounted.model_id,
        discounted.service_tier,
        discounted.region_scope,
        discounted.input_total_tokens,
        discounted.usage_type,
        discounted.billed_usage_type,
        discounted.leaf_quantity as quantity,
        discounted.unit,
        discounted.price_id,
        discounted.price_service_tier,
        discounted.price_region_scope,
        discounted.tier_threshold_tokens,
        coalesce(discounted.tier_threshold_tokens > 0, false) as is_long_context_tier,
        discounted.unit_quantity,
        discounted.price as unit_price,
        discounted.currency,
        discounted.list_cost,
        cast(discounted.list_cost * to_usd.rate as decimal(38, 12)) as list_cost_usd,
        discounted.discount_id,
        discounted.contract_id,
        cast(coalesce(discounted.discount_pct, 0) as decimal(38, 12)) as discount_pct,
        cast(
            discounted.list_cost * to_usd.rate * (1 - coalesce(discounted.discount_pct, 0)) as decimal(38, 12)
        ) as net_cost_usd,
        '{{ var("reporting_currency") }}' as reporting_currency,
        cast(
            cast(
                discounted.list_cost * to_usd.rate * (1 - coalesce(discounted.discount_pct, 0)) as decimal(38, 12)
            ) * to_reporting.rate as decimal(38, 12)
        ) as net_cost_reporting,
        case
            when discounted.is_unknown_usage_type then 'unknown_usage_type'
            when discounted.price_id is null then 'no_price_in_force'
            when to_usd.rate is null or to_reporting.rate is null then 'no_fx_rate'
            else 'priced'
        end as line_status,
        discounted.trace_date,
        {{ incremental_metadata_columns(window) }}
    from discounted
    left outer join stg_rate_cards__fx_rates as to_usd
        on
            discounted.currency = to_usd.currency_from
            and to_usd.currency_to = 'USD'
            and discounted.call_date >= to_usd.valid_from
            and discounted.call_date < to_usd.valid_to_effective
    left outer join stg_rate_cards__fx_rates as to_reporting
        on
            to_reporting.currency_from = 'USD'
            and to_reporting.currency_to = '{{ var("reporting_currency") }}'
            and discounted.call_date >= to_reporting.valid_from
            and discounted.call_date < to_reporting.valid_to_effective
    where discounted.discount_rank = 1

)

select * from final
