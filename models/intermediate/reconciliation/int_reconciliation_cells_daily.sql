-- One row per reconciliation cell and UTC day: provider x billing account x sub-account x model x token type x
-- service tier x day, with the telemetry estimate and the billed token cost side by side (union of both sides, so
-- a cell present on one side only is kept).
with

int_llm_cost_lines_attributed as (

    select * from {{ ref('int_llm_cost_lines_attributed') }}

),

int_billing_lines as (

    select * from {{ ref('int_billing_lines') }}

),

estimated as (

    select
        call_date as usage_date,
        provider,
        billing_account_id,
        sub_account_id,
        model_id,
        token_type,
        service_tier,
        sum(coalesce(list_cost_usd, 0)) as estimated_cost_usd,
        sum(coalesce(net_cost_usd, 0)) as estimated_net_cost_usd,
        sum(quantity_tokens) as estimated_quantity,
        count(*) as estimated_lines,
        sum(case when line_status = 'priced' then 0 else 1 end) as unpriced_lines
    from int_llm_cost_lines_attributed
    where is_token_usage
    group by 1, 2, 3, 4, 5, 6, 7

),

billed as (

    -- Token usage of the reconciliation sources only (the AWS FOCUS export repeats the CUR's charges).
    select
        charge_date as usage_date,
        coalesce(provider, 'unallocated') as provider,
        coalesce(billing_account_id, 'unallocated') as billing_account_id,
        coalesce(sub_account_id, 'unallocated') as sub_account_id,
        coalesce(model_id, '__unmapped__') as model_id,
        coalesce(token_type, 'other') as token_type,
        coalesce(service_tier, 'standard') as service_tier,
        sum(coalesce(billed_cost_usd, 0)) as billed_cost_usd,
        sum(consumed_quantity) as billed_quantity,
        count(*) as billing_lines
    from int_billing_lines
    where
        is_reconciliation_source
        and coalesce(charge_category = 'Usage' and is_token_usage, false)
    group by 1, 2, 3, 4, 5, 6, 7

),

both_sides as (

    select
        usage_date,
        provider,
        billing_account_id,
        sub_account_id,
        model_id,
        token_type,
        service_tier,
        estimated_cost_usd,
        estimated_net_cost_usd,
        estimated_quantity,
        estimated_lines,
        unpriced_lines,
        cast(null as decimal(38, 12)) as billed_cost_usd,
        cast(null as decimal(38, 6)) as billed_quantity,
        0 as billing_lines
    from estimated
    union all
    select
        usage_date,
        provider,
        billing_account_id,
        sub_account_id,
        model_id,
        token_type,
        service_tier,
        cast(null as decimal(38, 12)) as estimated_cost_usd,
        cast(null as decimal(38, 12)) as estimated_net_cost_usd,
        cast(null as {{ dbt.type_bigint() }}) as estimated_quantity,
        0 as estimated_lines,
        0 as unpriced_lines,
        billed_cost_usd,
        billed_quantity,
        billing_lines
    from billed

),

final as (

    select
        usage_date,
        cast({{ dbt.date_trunc('month', 'usage_date') }} as date) as usage_month,
        provider,
        billing_account_id,
        sub_account_id,
        model_id,
        token_type,
        service_tier,
        cast(sum(estimated_cost_usd) as decimal(38, 12)) as estimated_cost_usd,
        cast(sum(estimated_net_cost_usd) as decimal(38, 12)) as estimated_net_cost_usd,
        cast(sum(estimated_quantity) as {{ dbt.type_bigint() }}) as estimated_quantity,
        cast(sum(estimated_lines) as {{ dbt.type_bigint() }}) as estimated_lines,
        cast(sum(unpriced_lines) as {{ dbt.type_bigint() }}) as unpriced_lines,
        cast(sum(billed_cost_usd) as decimal(38, 12)) as billed_cost_usd,
        cast(sum(billed_quantity) as decimal(38, 6)) as billed_quantity,
        cast(sum(billing_lines) as {{ dbt.type_bigint() }}) as billing_lines
    from both_sides
    group by 1, 2, 3, 4, 5, 6, 7, 8

)

select * from final
