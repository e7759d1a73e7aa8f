{{ config(**incremental_by_date('trace_date')) }}
{%- set window = incremental_window('trace_date') %}

with calls as (
    {{ select_incremental_parent(ref('int_llm_calls_attributed'), window) }}
),

cost_lines as (
    {{ select_incremental_parent(ref('int_llm_cost_lines'), window) }}
),

call_prices as (
    -- The rate-card rows that priced each call, one per usage type, in usage-type order.
    select
        call_id,
        {{ dbt.listagg("price_id", "','", "order by usage_type, price_id") }} as price_ids
    from cost_lines
    where price_id is not null
    group by call_id
),

final as (
    select
        calls.call_id,
        calls.trace_id,
        calls.span_id,
        calls.task_id,
        calls.attempt_group_id,
        cast(calls.attempt_number as integer) as attempt_number,
        calls.called_at,
        calls.call_date,
        calls.provider,
        calls.model_id,
        calls.model_key,
        calls.pricing_model,
        calls.operation_name,
        calls.service_tier,
        calls.feature_id,
        calls.customer_id,
        calls.environment,
        calls.team_id,
        calls.is_retry,
        calls.is_fallback,
        calls.is_streaming,
        calls.is_batch,
        calls.is_error,
        calls.status,
        calls.usage_status,
        calls.input_total_tokens,
        calls.input_uncached_tokens,
        calls.cache_read_tokens,
        calls.cache_write_5m_tokens,
        calls.cache_write_1h_tokens,
        calls.output_tokens,
        calls.reasoning_tokens,
        calls.total_tokens,
        calls.latency_ms,
        calls.time_to_first_token_ms,
        calls.pricing_status,
        calls.unpriced_reason,
        call_prices.price_ids,
        cast(coalesce(calls.list_cost_usd, 0) as decimal(38, 12)) as list_cost_usd,
        cast(coalesce(calls.net_cost_usd, 0) as decimal(38, 12)) as net_cost_usd,
        cast(coalesce(calls.net_cost_reporting, 0) as decimal(38, 12)) as net_cost_reporting,
        calls.reporting_currency,
        calls.trace_date,
        {{ incremental_metadata_columns(window) }}
    from calls
    left outer join call_prices
        on calls.call_id = call_prices.call_id
)

select * from final
{{ incremental_cluster_order('trace_date', window) }}
