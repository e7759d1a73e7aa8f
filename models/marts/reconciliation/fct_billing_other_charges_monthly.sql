with

int_billing_lines as (

    select * from {{ ref('int_billing_lines') }}

),

other_lines as (

    -- Everything billed that telemetry cannot estimate: tax, credits, adjustments, purchases and non-token usage
    -- (tool fees, storage, fine-tuning), from the reconciliation sources only.
    select
        cast({{ dbt.date_trunc('month', 'charge_date') }} as date) as usage_month,
        coalesce(provider, 'unallocated') as provider,
        coalesce(billing_account_id, 'unallocated') as billing_account_id,
        coalesce(sub_account_id, 'unallocated') as sub_account_id,
        coalesce(charge_category, 'unknown') as charge_category,
        coalesce(charge_description, '') as charge_description,
        billing_currency,
        billed_cost,
        billed_cost_usd,
        consumed_quantity,
        case when parse_problem is null then 0 else 1 end as has_parse_problem
    from int_billing_lines
    where
        is_reconciliation_source
        and not coalesce(charge_category = 'Usage' and is_token_usage, false)

),

final as (

    select
        {{ dbt.hash(dbt.concat([
            "cast(usage_month as " ~ dbt.type_string() ~ ")", "'|'", "provider", "'|'", "billing_account_id", "'|'",
            "sub_account_id", "'|'", "charge_category", "'|'", "charge_description"
        ])) }} as other_charge_id,
        usage_month,
        provider,
        billing_account_id,
        sub_account_id,
        charge_category,
        charge_description,
        case
            when charge_category = 'Tax' then 'tax'
            when charge_category = 'Credit' then 'credit'
            when charge_category = 'Usage' then 'non_token_usage'
            else 'other'
        end as charge_group,
        cast(sum(billed_cost_usd) as decimal(38, 12)) as billed_cost_usd,
        cast(sum(consumed_quantity) as decimal(38, 6)) as consumed_quantity,
        cast(count(*) as {{ dbt.type_bigint() }}) as billing_lines,
        cast(sum(has_parse_problem) as {{ dbt.type_bigint() }}) as billing_lines_with_parse_problem
    from other_lines
    group by 2, 3, 4, 5, 6, 7, 8

)

select * from final
