with

source as (

    select * from {{ source('billing', 'billing_aws_cur2') }}

),

parsed as (

    select
        bill_payer_account_id as payer_account_id,
        line_item_usage_account_id as usage_account_id,
        bill_billing_entity as billing_entity,
        bill_bill_type as bill_type,
        bill_invoice_id as invoice_id,
        line_item_line_item_type as line_item_type,
        line_item_product_code as product_code,
        line_item_usage_type as usage_type,
        line_item_operation as operation,
        line_item_line_item_description as line_item_description,
        line_item_resource_id as resource_id,
        pricing_unit,
        line_item_legal_entity as legal_entity,
        product_region_code as region_code,
        {{ billing_json_object_text('product', 'product_name') }} as product_name,
        product as product_json,
        resource_tags as resource_tags_json,
        bill_billing_period_start_date as billing_period_start_raw,
        line_item_usage_start_date as usage_start_raw,
        line_item_usage_end_date as usage_end_raw,
        {{ billing_parse_timestamp('bill_billing_period_start_date') }} as billing_period_start_at,
        {{ billing_parse_timestamp('bill_billing_period_end_date') }} as billing_period_end_at,
        {{ billing_parse_timestamp('line_item_usage_start_date') }} as usage_start_at,
        {{ billing_parse_timestamp('line_item_usage_end_date') }} as usage_end_at,
        line_item_usage_amount as usage_amount_raw,
        line_item_unblended_cost as unblended_cost_raw,
        cast({{ try_cast('line_item_usage_amount', 'decimal(38, 6)') }} as decimal(38, 6)) as usage_amount,
        cast({{ try_cast('line_item_unblended_rate', 'decimal(38, 12)') }} as decimal(38, 12)) as unblended_rate,
        cast({{ try_cast('line_item_unblended_cost', 'decimal(38, 12)') }} as decimal(38, 12)) as unblended_cost,
        cast({{ try_cast('line_item_net_unblended_cost', 'decimal(38, 12)') }} as decimal(38, 12))
            as net_unblended_cost,
        upper(trim(line_item_currency_code)) as currency_code,
        source_file,
        cast(source_line as bigint) as source_line,
        loaded_at
    from source

),

final as (

    select
        {{ billing_row_id('aws_cur2') }}
            as aws_cur2_line_id,
        payer_account_id,
        usage_account_id,
        billing_entity,
        bill_type,
        invoice_id,
        line_item_type,
        product_code,
        usage_type,
        operation,
        line_item_description,
        resource_id,
        pricing_unit,
        legal_entity,
        region_code,
        product_name,
        {{ regex_matches("coalesce(usage_type, '')", "'-MP:'") }} as is_marketplace,
        resource_tags_json,
        billing_period_start_at,
        billing_period_end_at,
        usage_start_at,
        usage_end_at,
        usage_amount,
        unblended_rate,
        unblended_cost,
        net_unblended_cost,
        coalesce(currency_code, 'USD') as currency_code,
        {{ billing_problems([
            "case when line_item_type is null then 'line_item_type missing' end",
            billing_cast_problem('billing_period_start_raw', 'billing_period_start_at', 'bill_billing_period_start_date is not a timestamp'),
            billing_cast_problem('usage_start_raw', 'usage_start_at', 'line_item_usage_start_date is not a timestamp'),
            billing_cast_problem('usage_end_raw', 'usage_end_at', 'line_item_usage_end_date is not a timestamp'),
            billing_cast_problem('usage_amount_raw', 'usage_amount', 'line_item_usage_amount is not a number'),
            "case when unblended_cost_raw is null then 'line_item_unblended_cost missing' end",
            billing_cast_problem('unblended_cost_raw', 'unblended_cost', 'line_item_unblended_cost is not a number'),
        ]) }} as parse_problem,
        source_file,
        source_line,
        loaded_at
    from parsed

)

select * from final
