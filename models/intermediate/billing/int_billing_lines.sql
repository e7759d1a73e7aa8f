-- TEMPORARY PLACEHOLDER (recon branch): the column contract of int_billing_lines, built by `billstg`.
-- The integrator replaces this file with billstg's model; it returns no rows.
with

final as (

    select
        cast(null as {{ dbt.type_string() }}) as billing_line_id,
        cast(null as {{ dbt.type_string() }}) as source_system,
        cast(null as {{ dbt.type_string() }}) as source_table,
        cast(null as {{ dbt.type_string() }}) as source_file,
        cast(null as {{ dbt.type_bigint() }}) as source_line,
        cast(null as {{ dbt.type_string() }}) as provider,
        cast(null as {{ dbt.type_string() }}) as invoice_issuer,
        cast(null as {{ dbt.type_string() }}) as billing_account_id,
        cast(null as {{ dbt.type_string() }}) as sub_account_id,
        cast(null as date) as billing_period_start,
        cast(null as {{ dbt.type_timestamp() }}) as charge_period_start,
        cast(null as {{ dbt.type_timestamp() }}) as charge_period_end,
        cast(null as date) as charge_date,
        cast(null as {{ dbt.type_string() }}) as charge_category,
        cast(null as {{ dbt.type_string() }}) as charge_class,
        cast(null as {{ dbt.type_string() }}) as charge_description,
        cast(null as {{ dbt.type_string() }}) as service_name,
        cast(null as {{ dbt.type_string() }}) as sku_id,
        cast(null as {{ dbt.type_string() }}) as region,
        cast(null as {{ dbt.type_string() }}) as model_id,
        cast(null as {{ dbt.type_string() }}) as token_type,
        cast(null as {{ dbt.type_string() }}) as service_tier,
        cast(null as decimal(38, 6)) as consumed_quantity,
        cast(null as {{ dbt.type_string() }}) as consumed_unit,
        cast(null as decimal(38, 12)) as billed_cost,
        cast(null as {{ dbt.type_string() }}) as billing_currency,
        cast(null as decimal(38, 12)) as billed_cost_usd,
        cast(null as {{ dbt.type_boolean() }}) as is_token_usage,
        cast(null as {{ dbt.type_boolean() }}) as is_mapped,
        cast(null as {{ dbt.type_boolean() }}) as is_reconciliation_source,
        cast(null as {{ dbt.type_string() }}) as parse_problem,
        cast(null as {{ dbt.type_string() }}) as tags

)

select * from final
where 1 = 0
