with

int_reconciliation_cells_daily as (

    select * from {{ ref('int_reconciliation_cells_daily') }}

),

int_billing_cutoffs as (

    select * from {{ ref('int_billing_cutoffs') }}

),

monthly as (

    select
        usage_month,
        provider,
        billing_account_id,
        sub_account_id,
        model_id,
        token_type,
        service_tier,
        sum(estimated_cost_usd) as estimated_cost_usd,
        sum(billed_cost_usd) as billed_cost_usd,
        sum(estimated_quantity) as estimated_quantity,
        sum(billed_quantity) as billed_quantity,
        sum(estimated_lines) as estimated_lines,
        sum(unpriced_lines) as unpriced_lines,
        sum(billing_lines) as billing_lines
    from int_reconciliation_cells_daily
    group by 1, 2, 3, 4, 5, 6, 7

),

cells as (

    -- A month is pending only when it starts after the billing cutoff (nothing of it can have been exported);
    -- a month whose last days are not exported yet shows them as under / no_billing (see the daily mart).
    select
        monthly.*,
        monthly.estimated_lines > 0 as has_telemetry,
        monthly.billing_lines > 0 as has_billing,
        coalesce(monthly.usage_month > cutoffs.billing_cutoff_date, false) as is_billing_pending_period
    from monthly
    left outer join int_billing_cutoffs as cutoffs
        on
            monthly.provider = cutoffs.provider
            and monthly.billing_account_id = cutoffs.billing_account_id

),

final as (

    select
        {{ dbt.hash(dbt.concat([
            "cast(usage_month as " ~ dbt.type_string() ~ ")", "'|'", "provider", "'|'", "billing_account_id", "'|'",
            "sub_account_id", "'|'", "model_id", "'|'", "token_type", "'|'", "service_tier"
        ])) }} as reconciliation_cell_id,
        usage_month,
        provider,
        billing_account_id,
        sub_account_id,
        model_id,
        token_type,
        service_tier,
        {{ reconciliation_cell_measures() }}
    from cells

)

select * from final
