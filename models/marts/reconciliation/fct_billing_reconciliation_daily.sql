with

int_reconciliation_cells_daily as (

    select * from {{ ref('int_reconciliation_cells_daily') }}

),

int_billing_cutoffs as (

    select * from {{ ref('int_billing_cutoffs') }}

),

cells as (

    select
        cells.*,
        cells.estimated_lines > 0 as has_telemetry,
        cells.billing_lines > 0 as has_billing,
        coalesce(cells.usage_date > cutoffs.billing_cutoff_date, false) as is_billing_pending_period
    from int_reconciliation_cells_daily as cells
    left outer join int_billing_cutoffs as cutoffs
        on
            cells.provider = cutoffs.provider
            and cells.billing_account_id = cutoffs.billing_account_id

),

final as (

    select
        {{ dbt.hash(dbt.concat([
            "cast(usage_date as " ~ dbt.type_string() ~ ")", "'|'", "provider", "'|'", "billing_account_id", "'|'",
            "sub_account_id", "'|'", "model_id", "'|'", "token_type", "'|'", "service_tier"
        ])) }} as reconciliation_cell_id,
        usage_date,
        usage_month,
        provider,
        billing_account_id,
        sub_account_id,
        model_id,
        token_type,
        service_tier,
        cast(coalesce(estimated_cost_usd, 0) as decimal(38, 12)) as estimated_cost_usd,
        cast(coalesce(billed_cost_usd, 0) as decimal(38, 12)) as billed_cost_usd,
        cast(coalesce(billed_cost_usd, 0) - coalesce(estimated_cost_usd, 0) as decimal(38, 12)) as delta_usd,
        cast(
            (coalesce(billed_cost_usd, 0) - coalesce(estimated_cost_usd, 0))
            / nullif(estimated_cost_usd, 0) as decimal(38, 12)
        ) as delta_pct,
        {{ reconciliation_status('has_telemetry', 'has_billing', 'estimated_cost_usd', 'billed_cost_usd',
            'is_billing_pending_period') }} as status,
        estimated_quantity as estimated_tokens,
        billed_quantity,
        cast(estimated_lines as {{ dbt.type_bigint() }}) as estimated_cost_lines,
        cast(unpriced_lines as {{ dbt.type_bigint() }}) as unpriced_cost_lines,
        cast(billing_lines as {{ dbt.type_bigint() }}) as billing_lines,
        is_billing_pending_period
    from cells

)

select * from final
