{%- set unit_text = "trim(unit_of_measure)" -%}
{%- set unit_number = regex_extract(unit_text, "'^([0-9]+)'") -%}

with

source as (

    select * from {{ source('billing', 'billing_azure_cost_export') }}

),

parsed as (

    select
        billing_account_id,
        billing_account_name,
        subscription_id,
        subscription_name,
        resource_group,
        resource_location,
        resource_id,
        resource_name,
        product_name,
        meter_category,
        meter_sub_category,
        meter_id,
        meter_name,
        meter_region,
        unit_of_measure,
        consumed_service,
        charge_type,
        pricing_model,
        publisher_name,
        publisher_type,
        additional_info as additional_info_json,
        {#- Tags arrive without the outer braces (`"env": "prod","app": "x"`): wrap them into a JSON object. -#}
        
        case
            when tags is null then null
            when {{ regex_matches('trim(tags)', "'^[{]'") }} then trim(tags)
            else {{ dbt.concat(["'{'", "trim(tags)", "'}'"]) }}
        end as tags_json,
        upper(trim(billing_currency_code)) as billing_currency,
        date as date_raw,
        billing_period_start_date as billing_period_start_raw,
        {{ billing_parse_mdy_date('date') }} as usage_date,
        {{ billing_parse_mdy_date('billing_period_start_date') }} as billing_period_start_date,
        {{ billing_parse_mdy_date('billing_period_end_date') }} as billing_period_end_date,
        {#- Quantity is in blocks of the unit of measure (`1K` = 1,000 tokens, `1M` = 1,000,000, `Units` = 1). -#}
        
        case
            when
                {{ regex_matches(unit_text, "'^[0-9]+ ?[Kk]( |$)'") }}
                then {{ try_cast(unit_number, 'bigint') }} * 1000
            when
                {{ regex_matches(unit_text, "'^[0-9]+ ?[Mm]( |$)'") }}
                then {{ try_cast(unit_number, 'bigint') }} * 1000000
            when {{ regex_matches(unit_text, "'^[0-9]+( |$)'") }} then {{ try_cast(unit_number, 'bigint') }}
            when {{ regex_matches(unit_text, "'^[A-Za-z]'") }} then 1
        end as unit_block_size,
        quantity as quantity_raw,
        cost_in_billing_currency as cost_raw,
        cast({{ try_cast('quantity', 'decimal(38, 12)') }} as decimal(38, 12)) as quantity,
        cast({{ try_cast('effective_price', 'decimal(38, 12)') }} as decimal(38, 12)) as effective_price,
        cast({{ try_cast('unit_price', 'decimal(38, 12)') }} as decimal(38, 12)) as unit_price,
        cast({{ try_cast('cost_in_billing_currency', 'decimal(38, 12)') }} as decimal(38, 12))
            as cost_in_billing_currency,
        source_file,
        cast(source_line as bigint) as source_line,
        loaded_at
    from source

),

final as (

    select
        {{ billing_row_id('azure_cost_export') }}
            as azure_cost_line_id,
        billing_account_id,
        billing_account_name,
        subscription_id,
        subscription_name,
        resource_group,
        resource_location,
        resource_id,
        resource_name,
        product_name,
        meter_category,
        meter_sub_category,
        meter_id,
        meter_name,
        meter_region,
        unit_of_measure,
        unit_block_size,
        consumed_service,
        charge_type,
        pricing_model,
        publisher_name,
        publisher_type,
        additional_info_json,
        tags_json,
        billing_currency,
        usage_date,
        billing_period_start_date,
        billing_period_end_date,
        quantity,
        cast(quantity * unit_block_size as decimal(38, 6)) as consumed_quantity,
        effective_price,
        unit_price,
        cost_in_billing_currency,
        {{ billing_problems([
            billing_cast_problem('date_raw', 'usage_date', 'Date is not M/D/YYYY'),
            billing_cast_problem('billing_period_start_raw', 'billing_period_start_date', 'BillingPeriodStartDate is not M/D/YYYY'),
            billing_cast_problem('unit_of_measure', 'unit_block_size', 'UnitOfMeasure has no known block size'),
            billing_cast_problem('quantity_raw', 'quantity', 'Quantity is not a number'),
            "case when cost_raw is null then 'CostInBillingCurrency missing' end",
            billing_cast_problem('cost_raw', 'cost_in_billing_currency', 'CostInBillingCurrency is not a number'),
            "case when billing_currency is null then 'BillingCurrencyCode missing' end",
        ]) }} as parse_problem,
        source_file,
        source_line,
        loaded_at
    from parsed

)

select * from final
