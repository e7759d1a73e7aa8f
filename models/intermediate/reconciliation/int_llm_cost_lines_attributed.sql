{{ config(**incremental_by_date('trace_date')) }}
{%- set window = incremental_window('trace_date') %}

-- One row per priced cost line (int_llm_cost_lines), attributed to the billing cell it should appear in:
-- billing account and sub-account (through the call's environment), billing token type, and the call's feature
-- and customer. Only calls the pricing layer marks `priced` carry an estimate: an unpriced call (tier fallback,
-- unknown model, partial pricing, ...) keeps its lines with NULL cost, exactly as fct_llm_cost_daily leaves it out,
-- so reconciliation and the cost marts never disagree on what telemetry estimates.
with

int_llm_cost_lines as (

    {{ select_incremental_parent(ref('int_llm_cost_lines'), window) }}

),

int_llm_calls_priced as (

    {{ select_incremental_parent(ref('int_llm_calls_priced'), window) }}

),

stg_app__provider_accounts as (

    select * from {{ ref('stg_app__provider_accounts') }}

),

reconciliation_token_types as (

    select * from {{ ref('reconciliation_token_types') }}

),

final as (

    select
        int_llm_cost_lines.cost_line_id,
        int_llm_cost_lines.call_id,
        int_llm_cost_lines.call_date,
        cast({{ dbt.date_trunc('month', 'int_llm_cost_lines.call_date') }} as date) as call_month,
        int_llm_cost_lines.provider,
        coalesce(stg_app__provider_accounts.billing_account_id, 'unallocated') as billing_account_id,
        coalesce(stg_app__provider_accounts.sub_account_id, 'unallocated') as sub_account_id,
        int_llm_cost_lines.model_id,
        coalesce(reconciliation_token_types.token_type, 'other') as token_type,
        int_llm_cost_lines.service_tier,
        int_llm_cost_lines.usage_type,
        coalesce(reconciliation_token_types.is_token_usage, false) as is_token_usage,
        int_llm_cost_lines.quantity as quantity_tokens,
        int_llm_cost_lines.line_status,
        int_llm_calls_priced.pricing_status,
        case
            when int_llm_calls_priced.pricing_status = 'priced' then int_llm_cost_lines.list_cost_usd
        end as list_cost_usd,
        case
            when int_llm_calls_priced.pricing_status = 'priced' then int_llm_cost_lines.net_cost_usd
        end as net_cost_usd,
        coalesce(int_llm_calls_priced.environment, 'unknown') as environment,
        coalesce(int_llm_calls_priced.feature_id, 'unallocated') as feature_id,
        coalesce(int_llm_calls_priced.customer_id, 'unallocated') as customer_id,
        int_llm_cost_lines.trace_date,
        {{ incremental_metadata_columns(window) }}
    from int_llm_cost_lines
    inner join int_llm_calls_priced
        on int_llm_cost_lines.call_id = int_llm_calls_priced.call_id
    left outer join stg_app__provider_accounts
        on
            int_llm_cost_lines.provider = stg_app__provider_accounts.provider
            and int_llm_calls_priced.environment = stg_app__provider_accounts.environment
    left outer join reconciliation_token_types
        on int_llm_cost_lines.usage_type = reconciliation_token_types.usage_type

)

select * from final
{#- No sort (incremental_cluster_order): the rows stream through hash joins probed by int_llm_cost_lines's rows,
    which a full build stores in date order, and keep their row groups' dates (docs/incremental.md). #}
