{#- The measure columns of a reconciliation cell, shared by the daily and monthly marts so the two can never compute
    delta, status or counts differently. Expects the columns estimated_cost_usd, billed_cost_usd, has_telemetry,
    has_billing, is_billing_pending_period, estimated_quantity, billed_quantity, estimated_lines, unpriced_lines and
    billing_lines in scope. -#}
{% macro reconciliation_cell_measures() -%}
        cast(coalesce(estimated_cost_usd, 0) as decimal(38, 12)) as estimated_cost_usd,
        cast(coalesce(billed_cost_usd, 0) as decimal(38, 12)) as billed_cost_usd,
        cast(coalesce(billed_cost_usd, 0) - coalesce(estimated_cost_usd, 0) as decimal(38, 12)) as delta_usd,
        cast(
            (coalesce(billed_cost_usd, 0) - coalesce(estimated_cost_usd, 0))
            / nullif(estimated_cost_usd, 0) as decimal(38, 12)
        ) as delta_pct,
        {{ reconciliation_status('has_telemetry', 'has_billing', 'estimated_cost_usd', 'billed_cost_usd',
            'is_billing_pending_period') }} as status,
        cast(estimated_quantity as {{ dbt.type_bigint() }}) as estimated_tokens,
        cast(billed_quantity as decimal(38, 6)) as billed_quantity,
        cast(estimated_lines as {{ dbt.type_bigint() }}) as estimated_cost_lines,
        cast(unpriced_lines as {{ dbt.type_bigint() }}) as unpriced_cost_lines,
        cast(billing_lines as {{ dbt.type_bigint() }}) as billing_lines,
        is_billing_pending_period
{%- endmacro %}
