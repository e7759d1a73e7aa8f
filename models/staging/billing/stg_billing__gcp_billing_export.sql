with

source as (

    select * from {{ source('billing', 'billing_gcp_billing_export') }}

),

parsed as (

    select
        billing_account_id,
        service_id,
        service_description,
        sku_id,
        sku_description,
        project_id,
        project_name,
        labels as labels_json,
        tags as tags_json,
        credits as credits_json,
        coalesce(location_region, location_location) as region,
        cost_type,
        transaction_type,
        seller_name,
        usage_unit,
        usage_pricing_unit,
        upper(trim(currency)) as billing_currency,
        invoice_month as invoice_month_raw,
        usage_start_time as usage_start_raw,
        usage_end_time as usage_end_raw,
        {{ billing_parse_timestamp('usage_start_time') }} as usage_start_at,
        {{ billing_parse_timestamp('usage_end_time') }} as usage_end_at,
        {#- invoice.month is YYYYMM in US Pacific time:
            usage before 08:00 UTC on the 1st invoices in the prior month. -#}
        
        case
            when {{ regex_matches('trim(invoice_month)', "'^[0-9]{6}$'") }}
                then {{ try_cast(dbt.concat(["substring(trim(invoice_month), 1, 4)", "'-'",
                    "substring(trim(invoice_month), 5, 2)", "'-01'"]), 'date') }}
        end as invoice_month,
        usage_amount as usage_amount_raw,
        cost as cost_raw,
        cast({{ try_cast('usage_amount', 'decimal(38, 6)') }} as decimal(38, 6)) as usage_amount,
        cast({{ try_cast('usage_amount_in_pricing_units', 'decimal(38, 6)') }} as decimal(38, 6))
            as usage_amount_in_pricing_units,
        cast({{ try_cast('cost', 'decimal(38, 12)') }} as decimal(38, 12)) as cost,
        cast({{ try_cast('cost_at_list', 'decimal(38, 12)') }} as decimal(38, 12)) as cost_at_list,
        cast({{ try_cast('currency_conversion_rate', 'decimal(38, 12)') }} as decimal(38, 12))
            as currency_conversion_rate,
        source_file,
        cast(source_line as bigint) as source_line,
        loaded_at
    from source

),

final as (

    select
        {{ billing_row_id('gcp_billing_export') }}
            as gcp_billing_line_id,
        billing_account_id,
        service_id,
        service_description,
        sku_id,
        sku_description,
        project_id,
        project_name,
        labels_json,
        tags_json,
        credits_json,
        region,
        cost_type,
        transaction_type,
        seller_name,
        usage_unit,
        usage_pricing_unit,
        billing_currency,
        invoice_month,
        usage_start_at,
        usage_end_at,
        usage_amount,
        usage_amount_in_pricing_units,
        cost,
        cost_at_list,
        currency_conversion_rate,
        {{ billing_problems([
            billing_cast_problem('usage_start_raw', 'usage_start_at', 'usage_start_time is not a timestamp'),
            billing_cast_problem('usage_end_raw', 'usage_end_at', 'usage_end_time is not a timestamp'),
            "case when invoice_month is null then 'invoice.month is not YYYYMM' end",
            billing_cast_problem('usage_amount_raw', 'usage_amount', 'usage.amount is not a number'),
            billing_cast_problem('cost_raw', 'cost', 'cost is not a number'),
            "case when credits_json is not null and not " ~ billing_is_json_array('credits_json') ~ " then 'credits is not a JSON array' end",
        ]) }} as parse_problem,
        source_file,
        source_line,
        loaded_at
    from parsed

)

select * from final
