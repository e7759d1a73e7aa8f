{{ config(**incremental_by_date('trace_date')) }}
{%- set window = incremental_window('trace_date') %}

-- One row per billable call (int_llm_calls_priced), every dimension mapped to a member: no NULL keys, nothing dropped.
with

int_llm_calls_priced as (

    {{ select_incremental_parent(ref('int_llm_calls_priced'), window) }}

),

stg_app__features as (

    select * from {{ ref('stg_app__features') }}

),

feature_owners as (

    select * from {{ ref('feature_owners') }}

),

final as (

    select
        calls.call_id,
        calls.trace_id,
        calls.span_id,
        calls.task_id,
        calls.attempt_group_id,
        calls.attempt_number,
        calls.called_at,
        calls.call_date,
        calls.provider,
        coalesce(calls.model_id, 'unresolved') as model_id,
        case
            when calls.model_id is null then 'unresolved'
            else {{ dbt.concat(["calls.provider", "'|'", "calls.model_id"]) }}
        end as model_key,
        calls.pricing_model,
        calls.operation_name,
        calls.service_tier,
        coalesce(calls.feature_id, 'unallocated') as feature_id,
        coalesce(calls.customer_id, 'unallocated') as customer_id,
        coalesce(calls.environment, 'unknown') as environment,
        -- The feature_owners seed overrides the call's team attribute and the app table's owner.
        coalesce(feature_owners.team_id, calls.team_id, stg_app__features.team_id, 'unallocated') as team_id,
        calls.team_id as reported_team_id,
        calls.user_id,
        calls.service_name,
        calls.is_retry,
        calls.is_fallback,
        calls.is_streaming,
        calls.is_batch,
        calls.is_error,
        calls.status,
        calls.error_type,
        calls.usage_status,
        calls.input_total_tokens,
        calls.input_uncached_tokens,
        calls.cache_read_tokens,
        calls.cache_write_5m_tokens,
        calls.cache_write_1h_tokens,
        calls.output_tokens,
        calls.reasoning_tokens,
        cast(
            coalesce(calls.input_uncached_tokens, 0) + coalesce(calls.cache_read_tokens, 0)
            + coalesce(calls.cache_write_5m_tokens, 0) + coalesce(calls.cache_write_1h_tokens, 0)
            + coalesce(calls.output_tokens, 0) as bigint
        ) as total_tokens,
        calls.latency_ms,
        calls.time_to_first_token_ms,
        calls.pricing_status,
        calls.unpriced_reason,
        calls.list_cost_usd,
        calls.net_cost_usd,
        calls.net_cost_reporting,
        calls.reporting_currency,
        calls.trace_date,
        {{ incremental_metadata_columns(window) }}
    from int_llm_calls_priced as calls
    left outer join stg_app__features
        on calls.feature_id = stg_app__features.feature_id
    left outer join feature_owners
        on calls.feature_id = feature_owners.feature_id

)

select * from final
{#- No sort (incremental_cluster_order): the rows stream through hash joins probed by int_llm_calls_priced's rows,
    which a full build stores in date order, and keep their row groups' dates (docs/incremental.md). #}
