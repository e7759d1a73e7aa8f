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
        {{ reconciliation_cell_measures() }}
    from cells

)

select * from final
