with calls as (
    select * from {{ ref('int_llm_calls_priced') }}
),

features as (
    select * from {{ ref('stg_app__features') }}
),

calls_with_members as (
    -- Calls with no customer, feature or team go to explicit `unallocated` members: nothing vanishes from the totals.
    select
        calls.call_date as usage_date,
        calls.provider,
        coalesce(calls.model_id, 'unresolved') as model_id,
        coalesce(calls.feature_id, 'unallocated') as feature_id,
        coalesce(calls.customer_id, 'unallocated') as customer_id,
        coalesce(calls.environment, 'unknown') as environment,
        coalesce(calls.team_id, features.team_id, 'unallocated') as team_id,
        calls.service_tier,
        calls.pricing_status,
        calls.input_uncached_tokens,
        calls.cache_read_tokens,
        calls.cache_write_5m_tokens,
        calls.cache_write_1h_tokens,
        calls.output_tokens,
        calls.reasoning_tokens,
        calls.list_cost_usd,
        calls.net_cost_usd,
        calls.net_cost_reporting
    from calls
    left join features
        on calls.feature_id = features.feature_id
),

final as (
    select
        usage_date,
        provider,
        model_id,
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
        cast(sum(
            coalesce(input_uncached_tokens, 0) + coalesce(cache_read_tokens, 0) + coalesce(cache_write_5m_tokens, 0)
            + coalesce(cache_write_1h_tokens, 0) + coalesce(output_tokens, 0)
        ) as bigint) as total_tokens,
        cast(sum(coalesce(list_cost_usd, 0)) as decimal(38, 12)) as list_cost_usd,
        cast(sum(coalesce(net_cost_usd, 0)) as decimal(38, 12)) as net_cost_usd,
        cast(sum(coalesce(net_cost_reporting, 0)) as decimal(38, 12)) as net_cost_reporting,
        cast('{{ var("reporting_currency") }}' as {{ dbt.type_string() }}) as reporting_currency
    from calls_with_members
    group by usage_date, provider, model_id, feature_id, customer_id, environment, team_id, service_tier
)

select * from final
