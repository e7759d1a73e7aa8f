{#- A FOCUS column name (PascalCase, e.g. BilledCost) quoted so every engine keeps its case. -#}
{% macro focus_column(name) -%}
    {{ adapter.quote(name) }}
{%- endmacro %}
