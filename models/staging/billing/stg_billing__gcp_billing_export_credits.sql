{#- The `credits` array of the GCP export exploded: one row per credit applied to a billing export row.
    Rows whose credits text is not a JSON array are not exploded here; the export row carries the problem. -#}

with

source as (

    select * from {{ source('billing', 'billing_gcp_billing_export') }}

),

with_credits as (

    select
        source_file,
        cast(source_line as bigint) as source_line,
        loaded_at,
        credits
    from source
    where
        credits is not null
        and {{ billing_is_json_array('credits') }}

),

exploded as (

    select
        with_credits.source_file,
        with_credits.source_line,
        with_credits.loaded_at,
        credit_element.element_index as credit_index,
        {{ billing_json_value_text('credit_element.element_json', 'name') }} as credit_name,
        {{ billing_json_value_text('credit_element.element_json', 'full_name') }} as credit_full_name,
        {{ billing_json_value_text('credit_element.element_json', 'id') }} as credit_id,
        {{ billing_json_value_text('credit_element.element_json', 'type') }} as credit_type,
        {{ billing_json_value_text('credit_element.element_json', 'amount') }} as amount_raw
    from with_credits
    cross join {{ billing_json_array_elements('with_credits.credits', 'credit_element') }}

),

final as (

    select
        {{ billing_row_id('gcp_billing_export') }}
            as gcp_billing_line_id,
        {{ billing_row_id('gcp_billing_export_credit', ['credit_index']) }}
            as gcp_credit_id,
        credit_index,
        credit_name,
        credit_full_name,
        credit_id,
        credit_type,
        cast({{ try_cast('amount_raw', 'decimal(38, 12)') }} as decimal(38, 12)) as credit_amount,
        {{ billing_problems([
            "case when amount_raw is null then 'credit amount missing' end",
            billing_cast_problem('amount_raw', try_cast('amount_raw', 'decimal(38, 12)'), 'credit amount is not a number'),
        ]) }} as parse_problem,
        source_file,
        source_line,
        loaded_at
    from exploded

)

select * from final
