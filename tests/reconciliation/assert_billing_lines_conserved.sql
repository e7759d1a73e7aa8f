-- Every reconciliation-source billing line lands exactly once: in a token cell of fct_billing_reconciliation_monthly
-- or in fct_billing_other_charges_monthly. Fails per provider and billing account when the line counts or the billed
-- USD amounts differ (any difference at all: the marts only sum).
with

source_lines as (

    select
        coalesce(provider, 'unallocated') as provider,
        coalesce(billing_account_id, 'unallocated') as billing_account_id,
        count(*) as billing_lines,
        sum(coalesce(billed_cost_usd, 0)) as billed_cost_usd
    from {{ ref('int_billing_lines') }}
    where is_reconciliation_source
    group by 1, 2

),

mart_lines as (

    select
        provider,
        billing_account_id,
        billing_lines,
        billed_cost_usd
    from {{ ref('fct_billing_reconciliation_monthly') }}
    union all
    select
        provider,
        billing_account_id,
        billing_lines,
        coalesce(billed_cost_usd, 0) as billed_cost_usd
    from {{ ref('fct_billing_other_charges_monthly') }}

),

mart_totals as (

    select
        provider,
        billing_account_id,
        sum(billing_lines) as billing_lines,
        sum(billed_cost_usd) as billed_cost_usd
    from mart_lines
    group by 1, 2

)

select
    coalesce(source_lines.provider, mart_totals.provider) as provider,
    coalesce(source_lines.billing_account_id, mart_totals.billing_account_id) as billing_account_id,
    source_lines.billing_lines as source_billing_lines,
    mart_totals.billing_lines as mart_billing_lines,
    source_lines.billed_cost_usd as source_billed_cost_usd,
    mart_totals.billed_cost_usd as mart_billed_cost_usd
from source_lines
full outer join mart_totals
    on
        source_lines.provider = mart_totals.provider
        and source_lines.billing_account_id = mart_totals.billing_account_id
where
    coalesce(source_lines.billing_lines, 0) <> coalesce(mart_totals.billing_lines, 0)
    or coalesce(source_lines.billed_cost_usd, 0) <> coalesce(mart_totals.billed_cost_usd, 0)
