with calls as (
    select * from {{ ref('int_llm_calls_attributed') }}
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
        cast('{{ var("reporting_currency") }}' as {{ dbt.type_string() }}) as reporting_currency
    from calls
    group by call_date, provider, model_id, model_key, feature_id, customer_id, environment, team_id, service_tier
)

select * from final
