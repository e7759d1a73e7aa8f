{{ config(**incremental_by_date('trace_date')) }}
{%- set window = incremental_window('trace_date') %}

-- One row per billable call (int_llm_calls): canonical model, list/net/reporting cost, and why a call is unpriced.
with

int_llm_calls as (

    {{ select_incremental_parent(ref('int_llm_calls'), window) }}

),

int_llm_calls_model_resolved as (

    {{ select_incremental_parent(ref('int_llm_calls_model_resolved'), window) }}

),

int_llm_cost_lines as (

    {{ select_incremental_parent(ref('int_llm_cost_lines'), window) }}

),

stg_rate_cards__prices as (

    select * from {{ ref('stg_rate_cards__prices') }}

),

call_costs as (

    select
        call_id,
        count(*) as cost_line_count,
        sum(case when line_status = 'unknown_usage_type' then 1 else 0 end) as unknown_usage_type_line_count,
        sum(case when line_status = 'no_price_in_force' then 1 else 0 end) as unpriced_line_count,
        sum(case when line_status = 'no_fx_rate' then 1 else 0 end) as no_fx_line_count,
        sum(case when is_long_context_tier then 1 else 0 end) as long_context_line_count,
        cast(sum(list_cost_usd) as decimal(38, 12)) as list_cost_usd,
        cast(sum(net_cost_usd) as decimal(38, 12)) as net_cost_usd,
        cast(sum(net_cost_reporting) as decimal(38, 12)) as net_cost_reporting
    from int_llm_cost_lines
    group by call_id

),

tier_prices_in_force as (

    -- Calls on batch/flex/priority whose model has at least one price row for that tier on the call's date.
    select distinct calls.call_id
    from int_llm_calls as calls
    inner join int_llm_calls_model_resolved as resolved
        on calls.call_id = resolved.call_id
    inner join stg_rate_cards__prices as prices
        on
            calls.provider = prices.provider
            and resolved.model_id = prices.model_id
            and calls.service_tier = prices.service_tier
            and calls.call_date >= prices.valid_from
            and calls.call_date < prices.valid_to_effective
    where calls.service_tier <> 'standard'

),

classified as (

    select
        int_llm_calls.*,
        resolved.model_id,
        resolved.alias_id,
        resolved.region_scope,
        coalesce(call_costs.cost_line_count, 0) as cost_line_count,
        coalesce(call_costs.long_context_line_count, 0) > 0 as is_long_context,
        call_costs.list_cost_usd as computed_list_cost_usd,
        call_costs.net_cost_usd as computed_net_cost_usd,
        call_costs.net_cost_reporting as computed_net_cost_reporting,
        case
            when resolved.resolution_status <> 'resolved' then resolved.resolution_status
            when
                int_llm_calls.usage_status = 'missing'
                or (
                    int_llm_calls.input_uncached_tokens is null
                    and int_llm_calls.cache_read_tokens is null
                    and int_llm_calls.cache_write_5m_tokens is null
                    and int_llm_calls.cache_write_1h_tokens is null
                    and int_llm_calls.output_tokens is null
                ) then 'missing_usage'
            when coalesce(call_costs.unknown_usage_type_line_count, 0) > 0 then 'unknown_usage_type'
            when coalesce(call_costs.unpriced_line_count, 0) > 0 then 'no_price_in_force'
            when coalesce(call_costs.no_fx_line_count, 0) > 0 then 'no_fx_rate'
            when
                coalesce(int_llm_calls.service_tier, 'standard') <> 'standard'
                and tier_prices_in_force.call_id is null then 'tier_fallback'
        end as unpriced_reason,
        case
            when int_llm_calls.usage_status = 'partial' then 'partial_usage'
        end as usage_warning
    from int_llm_calls
    left outer join int_llm_calls_model_resolved as resolved
        on int_llm_calls.call_id = resolved.call_id
    left outer join call_costs
        on int_llm_calls.call_id = call_costs.call_id
    left outer join tier_prices_in_force
        on int_llm_calls.call_id = tier_prices_in_force.call_id

),

final as (

    select
        classified.*,
        case when classified.unpriced_reason is null then 'priced' else 'unpriced' end as pricing_status,
        cast(
            case
                when classified.unpriced_reason is null then coalesce(classified.computed_list_cost_usd, 0)
            end as decimal(38, 12)
        )
            as list_cost_usd,
        cast(
            case
                when classified.unpriced_reason is null then coalesce(classified.computed_net_cost_usd, 0)
            end as decimal(38, 12)
        )
            as net_cost_usd,
        cast(
            case
                when classified.unpriced_reason is null then coalesce(classified.computed_net_cost_reporting, 0)
            end as decimal(38, 12)
        )
            as net_cost_reporting,
        '{{ var("reporting_currency") }}' as reporting_currency,
        {{ incremental_metadata_columns(window) }}
    from classified

)

select * from final
{{ incremental_cluster_order('trace_date', window) }}
