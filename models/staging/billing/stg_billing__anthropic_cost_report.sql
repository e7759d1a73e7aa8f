with

source as (

    select * from {{ source('billing', 'billing_anthropic_cost_report') }}

),

parsed as (

    select
        organization_id,
        workspace_id as workspace_id_raw,
        coalesce(nullif(trim(workspace_id), ''), 'default') as workspace_id,
        cost_type,
        token_type,
        description,
        model,
        service_tier,
        context_window,
        inference_geo,
        {{ try_cast('bucket_index', 'integer') }} as bucket_index,
        {{ try_cast('result_index', 'integer') }} as result_index,
        starting_at as starting_at_raw,
        ending_at as ending_at_raw,
        {{ billing_parse_timestamp('starting_at') }} as charge_period_start,
        {{ billing_parse_timestamp('ending_at') }} as charge_period_end,
        amount as amount_raw,
        {#- The amount is a decimal string in cents: multiply by 0.01 (a decimal);
            dividing by 100 gives a double on DuckDB. -#}
        cast({{ try_cast('amount', 'decimal(38, 14)') }} as decimal(38, 14)) as amount_cents,
        upper(trim(currency)) as billing_currency,
        source_file,
        cast(source_line as bigint) as source_line,
        loaded_at
    from source

),

final as (

    select
        {{ billing_row_id('anthropic_cost_report', ['bucket_index', 'result_index']) }} as anthropic_cost_line_id,
        organization_id,
        workspace_id,
        (workspace_id_raw is null or trim(workspace_id_raw) = '') as is_default_workspace,
        cost_type,
        token_type,
        description,
        model,
        service_tier,
        context_window,
        inference_geo,
        bucket_index,
        result_index,
        charge_period_start,
        charge_period_end,
        amount_cents,
        cast(amount_cents * 0.01 as decimal(38, 12)) as billed_cost,
        billing_currency,
        {{ billing_problems([
            "case when organization_id is null then 'organization_id missing (file name is not cost_report_<organization>.jsonl)' end",
            billing_cast_problem('starting_at_raw', 'charge_period_start', 'starting_at is not an RFC 3339 timestamp'),
            billing_cast_problem('ending_at_raw', 'charge_period_end', 'ending_at is not an RFC 3339 timestamp'),
            "case when amount_raw is null then 'amount missing' end",
            billing_cast_problem('amount_raw', 'amount_cents', 'amount is not a decimal string'),
            "case when billing_currency is null then 'currency missing' end",
        ]) }} as parse_problem,
        source_file,
        source_line,
        loaded_at
    from parsed

)

select * from final
