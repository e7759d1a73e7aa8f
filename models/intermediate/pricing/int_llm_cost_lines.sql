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
        int_llm_calls.input_image_tokens,
        -- A call without a region scope is priced at '*' rows only, as a '*' scope is.
        coalesce(resolved.region_scope, '*') as region_scope_key
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

{# A price key: the call's columns that choose its prices (each usage type of a key takes the same price row). #}
{%- set price_key_columns = [
    'provider', 'model_id', 'region_scope_key', 'service_tier', 'call_date', 'bracket_tokens'
] %}

usage_kinds as (
    {%- for usage_type, column in usage_columns %}

        select '{{ usage_type }}' as usage_type
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}

),

{# Prices are resolved once per price key (provider, model, region scope, service tier, date, long-context bracket)
    and usage type, not once per call: a few thousand keys instead of millions of lines, and each line then takes
    its price by an equality join. The bracket is the highest long-context threshold of the model that the call's
    whole input exceeds (0 when none): a price row with threshold t applies when t = 0 or the input exceeds t, that
    is when t <= the bracket. #}
model_thresholds as (

    select distinct
        provider,
        model_id,
        tier_threshold_tokens as bracket_tokens
    from stg_rate_cards__prices
    union
    select distinct
        provider,
        model_id,
        0 as bracket_tokens
    from stg_rate_cards__prices

),

threshold_brackets as (

    select
        provider,
        model_id,
        bracket_tokens,
        lead(bracket_tokens) over (partition by provider, model_id order by bracket_tokens) as next_bracket_tokens
    from model_thresholds

),

bracketed_calls as (

    select
        calls.*,
        coalesce(threshold_brackets.bracket_tokens, 0) as bracket_tokens
    from calls
    left outer join threshold_brackets
        on
            calls.provider = threshold_brackets.provider
            and calls.model_id = threshold_brackets.model_id
            and (threshold_brackets.bracket_tokens = 0 or calls.input_total_tokens > threshold_brackets.bracket_tokens)
            and (
                threshold_brackets.next_bracket_tokens is null
                or calls.input_total_tokens <= threshold_brackets.next_bracket_tokens
            )

),

price_keys as (

    select distinct {{ price_key_columns | join(', ') }}
    from bracketed_calls
    where provider is not null and model_id is not null and call_date is not null

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

{# Every price row that may bill a key's usage type, ranked: the nearest usage type in the billing chain that has a
    price, then the key's own service tier before standard, its own region scope before '*', then the highest
    long-context tier reached. A key and usage type with no price in force keeps one row with a NULL price. #}
price_candidates as (

    select
        price_keys.*,
        usage_kinds.usage_type,
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
            partition by
                {%- for column in price_key_columns %}
                    price_keys.{{ column }},
                {%- endfor %}
                usage_kinds.usage_type
            order by
                case when prices.price_id is null then 1 else 0 end asc,
                billing_chain.chain_level asc,
                case when prices.service_tier = price_keys.service_tier then 0 else 1 end asc,
                case when prices.region_scope = price_keys.region_scope_key then 0 else 1 end asc,
                prices.tier_threshold_tokens desc
        ) as billing_rank
    from price_keys
    cross join usage_kinds
    left outer join billing_chain
        on usage_kinds.usage_type = billing_chain.usage_type
    left outer join stg_rate_cards__prices as prices
        on
            billing_chain.billed_usage_type = prices.usage_type
            and price_keys.provider = prices.provider
            and price_keys.model_id = prices.model_id
            and price_keys.call_date >= prices.valid_from
            and price_keys.call_date < prices.valid_to_effective
            and prices.service_tier in (price_keys.service_tier, 'standard')
            and prices.region_scope in (price_keys.region_scope_key, '*')
            and price_keys.bracket_tokens >= prices.tier_threshold_tokens

),

{# The contract discount of each priced key and usage type: the most specific matching discount (fewest wildcards),
    then the lowest discount_id; one without a matching discount keeps one row with a NULL discount. #}
discount_candidates as (

    select
        price_candidates.*,
        discounts.discount_id,
        discounts.contract_id,
        discounts.discount_pct,
        row_number() over (
            partition by
                {%- for column in price_key_columns %}
                    price_candidates.{{ column }},
                {%- endfor %}
                price_candidates.usage_type
            order by
                case when discounts.discount_id is null then 1 else 0 end,
                discounts.wildcard_count,
                discounts.discount_id
        ) as discount_rank
    from price_candidates
    left outer join stg_rate_cards__contract_discounts as discounts
        on
            price_candidates.price_id is not null
            and price_candidates.provider = discounts.provider
            and discounts.model_id in (price_candidates.model_id, '*')
            and discounts.service_tier in (price_candidates.service_tier, '*')
            and discounts.usage_type in (price_candidates.usage_type, '*')
            and price_candidates.call_date >= discounts.valid_from
            and price_candidates.call_date < discounts.valid_to_effective
    where price_candidates.billing_rank = 1

),

{# One row per price key and usage type: the price row, the discount and the FX rates in force on the key's date. #}
key_prices as (

    select
        {%- for column in price_key_columns + ['usage_type'] %}
            discount_candidates.{{ column }},
        {%- endfor %}
        case when discount_candidates.price_id is not null then discount_candidates.billed_usage_type end
            as billed_usage_type,
        case when discount_candidates.price_id is not null then discount_candidates.chain_level end as chain_level,
        discount_candidates.price_id,
        discount_candidates.price_service_tier,
        discount_candidates.price_region_scope,
        discount_candidates.tier_threshold_tokens,
        discount_candidates.unit,
        discount_candidates.unit_quantity,
        discount_candidates.price,
        discount_candidates.price_per_unit,
        discount_candidates.currency,
        discount_candidates.discount_id,
        discount_candidates.contract_id,
        discount_candidates.discount_pct,
        to_usd.rate as to_usd_rate,
        to_reporting.rate as to_reporting_rate
    from discount_candidates
    left outer join stg_rate_cards__fx_rates as to_usd
        on
            discount_candidates.currency = to_usd.currency_from
            and to_usd.currency_to = 'USD'
            and discount_candidates.call_date >= to_usd.valid_from
            and discount_candidates.call_date < to_usd.valid_to_effective
    left outer join stg_rate_cards__fx_rates as to_reporting
        on
            to_reporting.currency_from = 'USD'
            and to_reporting.currency_to = '{{ var("reporting_currency") }}'
            and discount_candidates.call_date >= to_reporting.valid_from
            and discount_candidates.call_date < to_reporting.valid_to_effective
    where discount_candidates.discount_rank = 1

),

{# The subsets (reasoning, audio, image) each key prices apart (a price of their own, not their parent's), by parent
    usage type: such a subset is taken out of its parent's quantity (leaf = parent - subsets priced apart). #}
key_subset_deductions as (

    select
        {%- for usage_type, column in usage_columns %}
            max(case when key_prices.usage_type = '{{ usage_type }}' then 1 else 0 end) as deducts_{{ usage_type }},
        {%- endfor %}
        {%- for column in price_key_columns %}
            key_prices.{{ column }},
        {%- endfor %}
        usage_types.parent_usage_type as usage_type
    from key_prices
    inner join stg_rate_cards__usage_types as usage_types
        on key_prices.usage_type = usage_types.usage_type
    where
        usage_types.is_subset_of_parent
        and key_prices.price_id is not null
        and key_prices.chain_level = 0
    group by
        {%- for column in price_key_columns %}
            key_prices.{{ column }},
        {%- endfor %}
        usage_types.parent_usage_type

),

{# One row per call and usage type with a positive quantity, the call's own columns carried along, and its key's
    price: every later step reads these rows once, with no join back to the calls. A line whose key has no row
    (a NULL provider, model or date) keeps NULL prices, as a line with no price in force. #}
usage_lines as (

    select
        bracketed_calls.call_id,
        bracketed_calls.call_date,
        bracketed_calls.trace_date,
        bracketed_calls.provider,
        bracketed_calls.model_id,
        bracketed_calls.region_scope,
        bracketed_calls.service_tier,
        bracketed_calls.input_total_tokens,
        bracketed_calls.region_scope_key,
        bracketed_calls.bracket_tokens,
        {%- for usage_type, column in usage_columns if column %}
            bracketed_calls.{{ column }},
        {%- endfor %}
        usage_kinds.usage_type,
        usage_types.parent_usage_type,
        coalesce(usage_types.is_subset_of_parent, false) as is_subset_of_parent,
        -- A usage type this model emits but the seed rate_card_usage_types lacks is kept (never dropped): its line
        -- gets line_status unknown_usage_type and its call is unpriced.
        usage_types.usage_type is null as is_unknown_usage_type,
        cast(case usage_kinds.usage_type
            {%- for usage_type, column in usage_columns %}
                when '{{ usage_type }}' then {{ 'bracketed_calls.' ~ column if column else '1' }}
            {%- endfor %}
        end as {{ dbt.type_bigint() }}) as quantity
    from bracketed_calls
    cross join usage_kinds
    left outer join stg_rate_cards__usage_types as usage_types
        on usage_kinds.usage_type = usage_types.usage_type

),

billed_lines as (

    select
        usage_lines.*,
        key_prices.billed_usage_type,
        key_prices.chain_level,
        key_prices.price_id,
        key_prices.price_service_tier,
        key_prices.price_region_scope,
        key_prices.tier_threshold_tokens,
        key_prices.unit,
        key_prices.unit_quantity,
        key_prices.price,
        key_prices.price_per_unit,
        key_prices.currency,
        key_prices.discount_id,
        key_prices.contract_id,
        key_prices.discount_pct,
        key_prices.to_usd_rate,
        key_prices.to_reporting_rate,
        cast(
            usage_lines.quantity
            {%- for usage_type, column in usage_columns %}
                {%- set subset_quantity = 'usage_lines.' ~ column if column else '1' %}
                - case
                    when deductions.deducts_{{ usage_type }} = 1 and {{ subset_quantity }} > 0
                        then {{ subset_quantity }}
                    else 0
                end
            {%- endfor %}
            as {{ dbt.type_bigint() }}
        ) as leaf_quantity
    from usage_lines
    left outer join key_prices
        on
            {%- for column in price_key_columns + ['usage_type'] %}
                {{ 'and ' if not loop.first }}usage_lines.{{ column }} = key_prices.{{ column }}
            {%- endfor %}
    left outer join key_subset_deductions as deductions
        on
            {%- for column in price_key_columns + ['usage_type'] %}
                {{ 'and ' if not loop.first }}usage_lines.{{ column }} = deductions.{{ column }}
            {%- endfor %}
    -- A subset (reasoning, audio, image) not priced apart stays inside its parent's quantity: no line of its own.
    -- A per-request fee exists only where the model has one.
    where
        usage_lines.quantity > 0
        and (
            usage_lines.is_unknown_usage_type
            or (
                not (
                    usage_lines.is_subset_of_parent and (key_prices.price_id is null or key_prices.chain_level > 0)
                )
                and not (usage_lines.usage_type = 'request' and key_prices.price_id is null)
            )
        )

),

costed_lines as (

    select
        billed_lines.*,
        cast(
            cast(billed_lines.leaf_quantity as decimal(38, 0)) * billed_lines.price_per_unit as decimal(38, 12)
        ) as list_cost
    from billed_lines
    where billed_lines.leaf_quantity <> 0

),

final as (

    select
        {{ dbt.concat(["costed_lines.call_id", "'|'", "costed_lines.usage_type"]) }} as cost_line_id,
        costed_lines.call_id,
        costed_lines.call_date,
        costed_lines.provider,
        costed_lines.model_id,
        costed_lines.service_tier,
        costed_lines.region_scope,
        costed_lines.input_total_tokens,
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
        cast(costed_lines.list_cost * costed_lines.to_usd_rate as decimal(38, 12)) as list_cost_usd,
        costed_lines.discount_id,
        costed_lines.contract_id,
        cast(coalesce(costed_lines.discount_pct, 0) as decimal(38, 12)) as discount_pct,
        cast(
            costed_lines.list_cost * costed_lines.to_usd_rate
            * (1 - coalesce(costed_lines.discount_pct, 0)) as decimal(38, 12)
        ) as net_cost_usd,
        '{{ var("reporting_currency") }}' as reporting_currency,
        cast(
            cast(
                costed_lines.list_cost * costed_lines.to_usd_rate
                * (1 - coalesce(costed_lines.discount_pct, 0)) as decimal(38, 12)
            ) * costed_lines.to_reporting_rate as decimal(38, 12)
        ) as net_cost_reporting,
        case
            when costed_lines.is_unknown_usage_type then 'unknown_usage_type'
            when costed_lines.price_id is null then 'no_price_in_force'
            when costed_lines.to_usd_rate is null or costed_lines.to_reporting_rate is null then 'no_fx_rate'
            else 'priced'
        end as line_status,
        costed_lines.trace_date,
        {{ incremental_metadata_columns(window) }}
    from costed_lines

)

select * from final
{{ incremental_cluster_order('trace_date', window) }}
