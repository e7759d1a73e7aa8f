{%- set q = focus_column -%}
with

int_billing_lines as (

    select * from {{ ref('int_billing_lines') }}

),

int_llm_cost_lines_attributed as (

    select * from {{ ref('int_llm_cost_lines_attributed') }}

),

focus_providers as (

    select * from {{ ref('focus_providers') }}

),

billed_lines as (

    select
        billing_line_id,
        source_system,
        provider,
        invoice_issuer,
        billing_account_id,
        sub_account_id,
        coalesce(
            cast(charge_period_start as {{ dbt.type_timestamp() }}),
            cast(charge_date as {{ dbt.type_timestamp() }})
        ) as charge_period_start,
        coalesce(
            cast(charge_period_end as {{ dbt.type_timestamp() }}),
            cast({{ dbt.dateadd('day', 1, 'charge_date') }} as {{ dbt.type_timestamp() }})
        ) as charge_period_end,
        charge_date,
        coalesce(billing_period_start, cast({{ dbt.date_trunc('month', 'charge_date') }} as date))
            as billing_period_start,
        charge_category,
        charge_class,
        charge_description,
        service_name,
        sku_id,
        region,
        coalesce(model_id, '__unmapped__') as model_id,
        coalesce(token_type, 'other') as token_type,
        coalesce(service_tier, 'standard') as service_tier,
        consumed_quantity,
        consumed_unit,
        coalesce(billed_cost, 0) as billed_cost,
        upper(billing_currency) as billing_currency,
        coalesce(billed_cost_usd, 0) as billed_cost_usd,
        coalesce(charge_category = 'Usage' and is_token_usage, false) as is_token_usage
    from int_billing_lines
    where is_reconciliation_source

),

feature_customer_estimates as (

    select
        call_date as usage_date,
        provider,
        billing_account_id,
        sub_account_id,
        model_id,
        token_type,
        service_tier,
        feature_id,
        customer_id,
        sum(coalesce(list_cost_usd, 0)) as estimated_cost_usd
    from int_llm_cost_lines_attributed
    where is_token_usage
    group by 1, 2, 3, 4, 5, 6, 7, 8, 9

),

cell_estimates as (

    select
        usage_date,
        provider,
        billing_account_id,
        sub_account_id,
        model_id,
        token_type,
        service_tier,
        sum(estimated_cost_usd) as cell_estimated_cost_usd
    from feature_customer_estimates
    group by 1, 2, 3, 4, 5, 6, 7

),

allocation_shares as (

    -- Share of each feature x customer in the telemetry estimate of a cell and day.
    select
        feature_customer_estimates.*,
        {{ divide('feature_customer_estimates.estimated_cost_usd', 'cell_estimates.cell_estimated_cost_usd') }}
            as allocation_share
    from feature_customer_estimates
    inner join cell_estimates
        on
            feature_customer_estimates.usage_date = cell_estimates.usage_date
            and feature_customer_estimates.provider = cell_estimates.provider
            and feature_customer_estimates.billing_account_id = cell_estimates.billing_account_id
            and feature_customer_estimates.sub_account_id = cell_estimates.sub_account_id
            and feature_customer_estimates.model_id = cell_estimates.model_id
            and feature_customer_estimates.token_type = cell_estimates.token_type
            and feature_customer_estimates.service_tier = cell_estimates.service_tier
    where cell_estimates.cell_estimated_cost_usd <> 0

),

allocated as (

    -- A billed token line is split over the features and customers whose calls the telemetry put in its cell
    -- and day; any other line (non-token, or no telemetry) stays whole and unallocated.
    select
        billed_lines.*,
        coalesce(allocation_shares.feature_id, 'unallocated') as feature_id,
        coalesce(allocation_shares.customer_id, 'unallocated') as customer_id,
        coalesce(allocation_shares.allocation_share, 1) as allocation_share,
        allocation_shares.estimated_cost_usd
    from billed_lines
    left outer join allocation_shares
        on
            billed_lines.is_token_usage
            and billed_lines.charge_date = allocation_shares.usage_date
            and billed_lines.provider = allocation_shares.provider
            and billed_lines.billing_account_id = allocation_shares.billing_account_id
            and billed_lines.sub_account_id = allocation_shares.sub_account_id
            and billed_lines.model_id = allocation_shares.model_id
            and billed_lines.token_type = allocation_shares.token_type
            and billed_lines.service_tier = allocation_shares.service_tier

),

final as (

    select
        cast(allocated.billed_cost * allocated.allocation_share as decimal(38, 12)) as {{ q('BilledCost') }},
        allocated.billing_account_id as {{ q('BillingAccountId') }},
        cast(null as {{ dbt.type_string() }}) as {{ q('BillingAccountName') }},
        allocated.billing_currency as {{ q('BillingCurrency') }},
        cast({{ dbt.dateadd('month', 1, 'allocated.billing_period_start') }} as {{ dbt.type_timestamp() }})
            as {{ q('BillingPeriodEnd') }},
        cast(allocated.billing_period_start as {{ dbt.type_timestamp() }}) as {{ q('BillingPeriodStart') }},
        allocated.charge_category as {{ q('ChargeCategory') }},
        allocated.charge_class as {{ q('ChargeClass') }},
        allocated.charge_description as {{ q('ChargeDescription') }},
        'Usage-Based' as {{ q('ChargeFrequency') }},
        -- No commitment discounts are exported; the column is present (all null) because focus-validator 2.2.1
        -- evaluates the ConsumedQuantity nullability rules through it.
        cast(null as {{ dbt.type_string() }}) as {{ q('CommitmentDiscountStatus') }},
        allocated.charge_period_end as {{ q('ChargePeriodEnd') }},
        allocated.charge_period_start as {{ q('ChargePeriodStart') }},
        case
            when allocated.charge_category = 'Usage' and allocated.consumed_quantity is not null
                then cast(allocated.consumed_quantity * allocated.allocation_share as decimal(38, 6))
        end as {{ q('ConsumedQuantity') }},
        case
            when allocated.charge_category = 'Usage' and allocated.consumed_quantity is not null
                then coalesce(allocated.consumed_unit, 'Tokens')
        end as {{ q('ConsumedUnit') }},
        cast(allocated.billed_cost * allocated.allocation_share as decimal(38, 12)) as {{ q('ContractedCost') }},
        cast(allocated.billed_cost * allocated.allocation_share as decimal(38, 12)) as {{ q('EffectiveCost') }},
        focus_providers.invoice_issuer_name as {{ q('InvoiceIssuerName') }},
        cast(null as {{ dbt.type_string() }}) as {{ q('InvoiceId') }},
        cast(allocated.billed_cost * allocated.allocation_share as decimal(38, 12)) as {{ q('ListCost') }},
        case
            when allocated.charge_category = 'Usage' and allocated.consumed_quantity is not null
                then cast(allocated.consumed_quantity * allocated.allocation_share as decimal(38, 6))
        end as {{ q('PricingQuantity') }},
        case
            when allocated.charge_category = 'Usage' and allocated.consumed_quantity is not null
                then coalesce(allocated.consumed_unit, 'Tokens')
        end as {{ q('PricingUnit') }},
        focus_providers.provider_name as {{ q('ProviderName') }},
        focus_providers.publisher_name as {{ q('PublisherName') }},
        allocated.region as {{ q('RegionId') }},
        allocated.region as {{ q('RegionName') }},
        'AI and Machine Learning' as {{ q('ServiceCategory') }},
        coalesce(allocated.service_name, focus_providers.service_name) as {{ q('ServiceName') }},
        'Generative AI' as {{ q('ServiceSubcategory') }},
        allocated.sub_account_id as {{ q('SubAccountId') }},
        allocated.sub_account_id as {{ q('SubAccountName') }},
        {{ dbt.concat([
            "'{\"x_ai_finops_feature\": \"'", "allocated.feature_id",
            "'\", \"x_ai_finops_customer\": \"'", "allocated.customer_id", "'\"}'"
        ]) }} as {{ q('Tags') }},
        allocated.billing_line_id as {{ q('x_BillingLineId') }},
        allocated.source_system as {{ q('x_SourceSystem') }},
        allocated.invoice_issuer as {{ q('x_SourceInvoiceIssuer') }},
        allocated.provider as {{ q('x_Provider') }},
        allocated.model_id as {{ q('x_Model') }},
        allocated.token_type as {{ q('x_TokenType') }},
        allocated.service_tier as {{ q('x_ServiceTier') }},
        allocated.feature_id as {{ q('x_FeatureId') }},
        allocated.customer_id as {{ q('x_CustomerId') }},
        allocated.allocation_share as {{ q('x_AllocationShare') }},
        cast(allocated.estimated_cost_usd as decimal(38, 12)) as {{ q('x_EstimatedCostUsd') }},
        cast(allocated.billed_cost_usd * allocated.allocation_share as decimal(38, 12)) as {{ q('x_BilledCostUsd') }}
    from allocated
    left outer join focus_providers
        on allocated.provider = focus_providers.provider

)

select * from final
