with

source as (

    select * from {{ source('billing', 'billing_openai_costs') }}

),

parsed as (

    select
        organization_id,
        project_id,
        api_key_id,
        line_item,
        {{ try_cast('bucket_index', 'integer') }} as bucket_index,
        {{ try_cast('result_index', 'integer') }} as result_index,
        start_time as start_time_raw,
        end_time as end_time_raw,
        {{ billing_epoch_seconds_to_timestamp('start_time') }} as charge_period_start,
        {{ billing_epoch_seconds_to_timestamp('end_time') }} as charge_period_end,
        amount_value as amount_value_raw,
        cast({{ try_cast('amount_value', 'decimal(38, 12)') }} as decimal(38, 12)) as billed_cost,
        upper(trim(amount_currency)) as billing_currency,
        source_file,
        cast(source_line as bigint) as source_line,
        loaded_at
    from source

),

final as (

    select
        {{ billing_row_id('openai_costs', ['bucket_index', 'result_index']) }}
            as openai_cost_line_id,
        organization_id,
        project_id,
        api_key_id,
        line_item,
        bucket_index,
        result_index,
        charge_period_start,
        charge_period_end,
        billed_cost,
        billing_currency,
        {{ billing_problems([
            "case when organization_id is null then 'organization_id missing (file name is not costs_<organization>.jsonl)' end",
            billing_cast_problem('start_time_raw', 'charge_period_start', 'start_time is not epoch seconds'),
            billing_cast_problem('end_time_raw', 'charge_period_end', 'end_time is not epoch seconds'),
            "case when amount_value_raw is null then 'amount.value missing' end",
            billing_cast_problem('amount_value_raw', 'billed_cost', 'amount.value is not a number'),
            "case when billing_currency is null then 'amount.currency missing' end",
        ]) }} as parse_problem,
        source_file,
        source_line,
        loaded_at
    from parsed

)

select * from final
