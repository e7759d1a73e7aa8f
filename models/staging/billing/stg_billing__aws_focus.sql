
{#- FOCUS 1.2 columns as delivered (snake_cased by the loader). FOCUS 1.3 renamed ProviderName to
    ServiceProviderName and added HostProviderName; columns the loader does not know land in `extra_fields`, so the
    1.3 names are read from there when the 1.2 column is empty. -#}

with

source as (

    select * from {{ source('billing', 'billing_aws_focus') }}

),

parsed as (

    select
        billing_account_id,
        billing_account_name,
        sub_account_id,
        sub_account_name,
        coalesce(provider_name, {{ billing_json_object_text('extra_fields', 'ServiceProviderName') }}) as provider_name,
        {{ billing_json_object_text('extra_fields', 'HostProviderName') }} as host_provider_name,
        publisher_name,
        invoice_issuer_name,
        invoice_id,
        charge_category,
        charge_class,
        charge_description,
        charge_frequency,
        consumed_unit,
        pricing_category,
        pricing_unit,
        region_id,
        resource_id,
        service_category,
        service_subcategory,
        service_name,
        sku_id,
        sku_meter,
        x_usage_type as usage_type,
        x_operation as operation,
        tags as tags_json,
        upper(trim(billing_currency)) as billing_currency,
        billing_period_start as billing_period_start_raw,
        charge_period_start as charge_period_start_raw,
        charge_period_end as charge_period_end_raw,
        {{ billing_parse_timestamp('billing_period_start') }} as billing_period_start_at,
        {{ billing_parse_timestamp('billing_period_end') }} as billing_period_end_at,
        {{ billing_parse_timestamp('charge_period_start') }} as charge_period_start,
        {{ billing_parse_timestamp('charge_period_end') }} as charge_period_end,
        consumed_quantity as consumed_quantity_raw,
        billed_cost as billed_cost_raw,
        cast({{ try_cast('consumed_quantity', 'decimal(38, 6)') }} as decimal(38, 6)) as consumed_quantity,
        cast({{ try_cast('pricing_quantity', 'decimal(38, 6)') }} as decimal(38, 6)) as pricing_quantity,
        cast({{ try_cast('billed_cost', 'decimal(38, 12)') }} as decimal(38, 12)) as billed_cost,
        cast({{ try_cast('effective_cost', 'decimal(38, 12)') }} as decimal(38, 12)) as effective_cost,
        cast({{ try_cast('list_cost', 'decimal(38, 12)') }} as decimal(38, 12)) as list_cost,
        cast({{ try_cast('contracted_cost', 'decimal(38, 12)') }} as decimal(38, 12)) as contracted_cost,
        source_file,
        cast(source_line as bigint) as source_line,
        loaded_at
    from source

),

final as (

    select
        {{ billing_row_id('aws_focus') }}
            as aws_focus_line_id,
        billing_account_id,
        billing_account_name,
        sub_account_id,
        sub_account_name,
        provider_name,
        host_provider_name,
        publisher_name,
        invoice_issuer_name,
        invoice_id,
        charge_category,
        charge_class,
        charge_description,
        charge_frequency,
        consumed_unit,
        pricing_category,
        pricing_unit,
        region_id,
        resource_id,
        service_category,
        service_subcategory,
        service_name,
        sku_id,
        sku_meter,
        usage_type,
        {{ regex_matches("coalesce(usage_type, '')", "'-MP:'") }} as is_marketplace,
        operation,
        tags_json,
        billing_currency,
        billing_period_start_at,
        billing_period_end_at,
        charge_period_start,
        charge_period_end,
        consumed_quantity,
        pricing_quantity,
        billed_cost,
        effective_cost,
        list_cost,
        contracted_cost,
        {{ billing_problems([
            "case when charge_category is null then 'ChargeCategory missing' end",
            billing_cast_problem('billing_period_start_raw', 'billing_period_start_at', 'BillingPeriodStart is not a timestamp'),
            billing_cast_problem('charge_period_start_raw', 'charge_period_start', 'ChargePeriodStart is not a timestamp'),
            billing_cast_problem('charge_period_end_raw', 'charge_period_end', 'ChargePeriodEnd is not a timestamp'),
            billing_cast_problem('consumed_quantity_raw', 'consumed_quantity', 'ConsumedQuantity is not a number'),
            "case when billed_cost_raw is null then 'BilledCost missing' end",
            billing_cast_problem('billed_cost_raw', 'billed_cost', 'BilledCost is not a number'),
        ]) }} as parse_problem,
        source_file,
        source_line,
        loaded_at
    from parsed

)

select * from final
