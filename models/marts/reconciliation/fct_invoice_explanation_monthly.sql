with

int_llm_cost_lines_attributed as (

    select * from {{ ref('int_llm_cost_lines_attributed') }}

),

fct_billing_reconciliation_monthly as (

    select * from {{ ref('fct_billing_reconciliation_monthly') }}

),

fct_billing_other_charges_monthly as (

    select * from {{ ref('fct_billing_other_charges_monthly') }}

),

explained_by_feature as (

    -- The telemetry estimate of the token cells, by the calls' feature.
    select
        call_month as usage_month,
        provider,
        billing_account_id,
        'explained_by_telemetry' as explanation_group,
        feature_id as explanation_item,
        feature_id,
        sum(coalesce(list_cost_usd, 0)) as amount_usd
    from int_llm_cost_lines_attributed
    where is_token_usage
    group by 1, 2, 3, 4, 5, 6

),

cell_components as (

    -- Where both sides exist, the delta splits into a volume part (billed - estimated tokens at the estimate's
    -- average unit price: usage telemetry did not see) and a price part (the rest); a cell without telemetry is
    -- untracked usage; a cell without billing is an estimate not (yet) billed.
    select
        usage_month,
        provider,
        billing_account_id,
        case
            when estimated_cost_lines = 0 then billed_cost_usd
            when billing_lines = 0 then 0
            when billed_quantity is null or coalesce(estimated_tokens, 0) = 0 then 0
            else {{ divide('(billed_quantity - estimated_tokens) * estimated_cost_usd', 'estimated_tokens') }}
        end as untracked_usage_usd,
        case
            when estimated_cost_lines = 0 or billing_lines = 0 then 0
            when billed_quantity is null or coalesce(estimated_tokens, 0) = 0 then delta_usd
            else
                delta_usd
                - {{ divide('(billed_quantity - estimated_tokens) * estimated_cost_usd', 'estimated_tokens') }}
        end as price_difference_usd,
        case when billing_lines = 0 then -estimated_cost_usd else 0 end as estimate_not_billed_usd
    from fct_billing_reconciliation_monthly

),

unexplained_token as (

    select
        usage_month,
        provider,
        billing_account_id,
        'unexplained' as explanation_group,
        'untracked_usage' as explanation_item,
        cast(null as {{ dbt.type_string() }}) as feature_id,
        sum(untracked_usage_usd) as amount_usd
    from cell_components
    group by 1, 2, 3, 4, 5, 6
    union all
    select
        usage_month,
        provider,
        billing_account_id,
        'unexplained' as explanation_group,
        'price_difference' as explanation_item,
        cast(null as {{ dbt.type_string() }}) as feature_id,
        sum(price_difference_usd) as amount_usd
    from cell_components
    group by 1, 2, 3, 4, 5, 6
    union all
    select
        usage_month,
        provider,
        billing_account_id,
        'unexplained' as explanation_group,
        'estimate_not_billed' as explanation_item,
        cast(null as {{ dbt.type_string() }}) as feature_id,
        sum(estimate_not_billed_usd) as amount_usd
    from cell_components
    group by 1, 2, 3, 4, 5, 6

),

unexplained_other as (

    select
        usage_month,
        provider,
        billing_account_id,
        'unexplained' as explanation_group,
        case
            when charge_group = 'tax' then 'tax'
            when charge_group = 'credit' then 'credits'
            else 'other_charges'
        end as explanation_item,
        cast(null as {{ dbt.type_string() }}) as feature_id,
        sum(billed_cost_usd) as amount_usd
    from fct_billing_other_charges_monthly
    group by 1, 2, 3, 4, 5, 6

),

components as (

    select * from explained_by_feature
    union all
    select * from unexplained_token
    union all
    select * from unexplained_other

),

invoice_totals as (

    select
        usage_month,
        provider,
        billing_account_id,
        sum(billed_cost_usd) as invoice_total_usd
    from (
        select
            usage_month,
            provider,
            billing_account_id,
            billed_cost_usd
        from fct_billing_reconciliation_monthly
        union all
        select
            usage_month,
            provider,
            billing_account_id,
            billed_cost_usd
        from fct_billing_other_charges_monthly
    ) as billed
    group by 1, 2, 3

),

explained_totals as (

    select
        usage_month,
        provider,
        billing_account_id,
        sum(amount_usd) as explained_by_telemetry_usd
    from explained_by_feature
    group by 1, 2, 3

),

final as (

    select
        {{ dbt.hash(dbt.concat([
            "cast(components.usage_month as " ~ dbt.type_string() ~ ")", "'|'", "components.provider", "'|'",
            "components.billing_account_id", "'|'", "components.explanation_group", "'|'",
            "components.explanation_item"
        ])) }} as invoice_explanation_id,
        components.usage_month,
        components.provider,
        components.billing_account_id,
        components.explanation_group,
        components.explanation_item,
        components.feature_id,
        cast(components.amount_usd as decimal(38, 12)) as amount_usd,
        cast(coalesce(invoice_totals.invoice_total_usd, 0) as decimal(38, 12)) as invoice_total_usd,
        cast(coalesce(explained_totals.explained_by_telemetry_usd, 0) as decimal(38, 12))
            as explained_by_telemetry_usd,
        cast(
            coalesce(invoice_totals.invoice_total_usd, 0) - coalesce(explained_totals.explained_by_telemetry_usd, 0)
            as decimal(38, 12)
        ) as unexplained_usd,
        cast(
            components.amount_usd / nullif(invoice_totals.invoice_total_usd, 0) as decimal(38, 12)
        ) as share_of_invoice
    from components
    left outer join invoice_totals
        on
            components.usage_month = invoice_totals.usage_month
            and components.provider = invoice_totals.provider
            and components.billing_account_id = invoice_totals.billing_account_id
    left outer join explained_totals
        on
            components.usage_month = explained_totals.usage_month
            and components.provider = explained_totals.provider
            and components.billing_account_id = explained_totals.billing_account_id

)

select * from final
