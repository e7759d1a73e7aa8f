{{ config(**incremental_by_date('usage_date')) }}
{#- Incremental by usage date: the days from the window start are re-aggregated from the (complete) attributed
    calls; the window follows the call dates of the calls int_llm_calls_attributed rebuilt. -#}
{%- set window = incremental_window('usage_date', upstream_column='call_date') %}

with calls as (
    {{ select_incremental_parent(ref('int_llm_calls_attributed'), window, column='call_date') }}
),

final as (
    -- Calls with no customer, feature or team are already mapped to explicit `unallocated` members: nothing vanishes.
    select
        call_date as usage_date,
        provider,
        model_id,
        model_key,
        feature_id,
        customer_id,
        environment,
        team_id,
        service_tier,
        cast(count(*) as bigint) as calls,
        cast(sum(case when pricing_status = 'priced' then 1 else 0 end) as bigint) as priced_calls,
        cast(sum(case when pricing_status = 'priced' then 0 else 1 end) as bigint) as unpriced_calls,
        cast(sum(input_uncached_tokens) as bigint) as input_uncached_tokens,
        cast(sum(cache_read_tokens) as bigint) as cache_read_tokens,
        cast(sum(cache_write_5m_tokens) as bigint) as cache_write_5m_tokens,
        cast(sum(cache_write_1h_tokens) as bigint) as cache_write_1h_tokens,
        cast(sum(output_tokens) as bigint) as output_tokens,
        cast(sum(reasoning_tokens) as bigint) as reasoning_tokens,
        cast(sum(total_tokens) as bigint) as total_tokens,
        cast(sum(coalesce(list_cost_usd, 0)) as decimal(38, 12)) as list_cost_usd,
        cast(sum(coalesce(net_cost_usd, 0)) as decimal(38, 12)) as net_cost_usd,
        cast(sum(coalesce(net_cost_reporting, 0)) as decimal(38, 12)) as net_cost_reporting,
        cast('{{ var("reporting_currency") }}' as {{ dbt.type_string() }}) as reporting_currency,
        {{ incremental_metadata_columns(window) }}
    from calls
    group by call_date, provider, model_id, model_key, feature_id, customer_id, environment, team_id, service_tier
)

select * from final
{{ incremental_cluster_order('usage_date', window) }}
