-- One row per provider and billing account with reconciliation-source billing lines: the last charge date
-- exported and the cutoff after which usage counts as not yet billed (last charge date - var billing_lag_days).
with

int_billing_lines as (

    select * from {{ ref('int_billing_lines') }}

),

final as (

    select
        coalesce(provider, 'unallocated') as provider,
        coalesce(billing_account_id, 'unallocated') as billing_account_id,
        max(charge_date) as last_charge_date,
        cast(
            {{ dbt.dateadd('day', -1 * var('billing_lag_days'), 'max(charge_date)') }} as date
        ) as billing_cutoff_date
    from int_billing_lines
    where is_reconciliation_source
    group by 1, 2

)

select * from final
