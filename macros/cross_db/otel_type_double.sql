{#- 64-bit floating point type name (dbt.type_float() is a 32-bit `float` on DuckDB). -#}
{% macro type_double() -%}
    {{ return(adapter.dispatch('type_double', 'ai_finops')()) }}
{%- endmacro %}

{% macro default__type_double() -%}
    double precision
{%- endmacro %}

{% macro spark__type_double() -%}
    double
{%- endmacro %}
