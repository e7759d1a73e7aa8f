{#- An OTLP id (trace, span or parent span id) as the project keys it: trimmed, lower-case hex, NULL when empty. One
    definition, so the raw rows, the trace dates and the staged spans join on the same key. -#}
{% macro otel_normalized_id(expression) -%}
    nullif(lower(trim({{ expression }})), '')
{%- endmacro %}
