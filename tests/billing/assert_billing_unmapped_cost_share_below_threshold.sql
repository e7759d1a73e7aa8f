{{ config(severity='warn') }}

{#- Warns when the share of billed cost (absolute USD, reconciliation sources) on lines the seeds in seeds/billing/
    could not map passes var billing_unmapped_cost_share_warn. Returns one row per provider over the threshold. -#}

with

int_billing_lines as (

    select * from {{ ref('int_billing_lines') }}

),

shares as (

    select
        provider,
        sum(case when not is_mapped then abs(billed_cost_usd) else 0 end) as unmapped_cost_usd,
        sum(abs(billed_cost_usd)) as total_cost_usd
    from int_billing_lines
    where is_reconciliation_source
    group by provider

),

final as (

    select
        provider,
        unmapped_cost_usd,
        total_cost_usd,
        unmapped_cost_usd / nullif(total_cost_usd, 0) as unmapped_cost_share
    from shares
    where unmapped_cost_usd > {{ var('billing_unmapped_cost_share_warn') }} * total_cost_usd

)

select * from final
