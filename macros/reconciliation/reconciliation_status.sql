{#-
    Status of one reconciliation cell, delta = billed - estimated (USD):
    no_telemetry (nothing estimated), billing_pending (a shortfall in the period the provider has not exported yet),
    no_billing, matched (|delta| < var reconciliation_matched_abs_usd), within_tolerance
    (|delta| <= max(var reconciliation_tolerance_abs_usd, var reconciliation_tolerance_pct x |estimated|)), over, under.
-#}
{% macro reconciliation_status(has_telemetry, has_billing, estimated, billed, is_pending) -%}
    case
        when not {{ has_telemetry }} then 'no_telemetry'
        when not {{ has_billing }} and {{ is_pending }} then 'billing_pending'
        when not {{ has_billing }} then 'no_billing'
        when abs({{ billed }} - {{ estimated }}) < {{ var('reconciliation_matched_abs_usd') }} then 'matched'
        when
            abs({{ billed }} - {{ estimated }}) <= {{ var('reconciliation_tolerance_abs_usd') }}
            or abs({{ billed }} - {{ estimated }}) <= {{ var('reconciliation_tolerance_pct') }} * abs({{ estimated }})
            then 'within_tolerance'
        when {{ billed }} > {{ estimated }} then 'over'
        when {{ is_pending }} then 'billing_pending'
        else 'under'
    end
{%- endmacro %}
