{#- Largest of several non-null expressions (greatest() exists on DuckDB, PostgreSQL and Spark). -#}
{% macro otel_greatest(expressions) -%}
    greatest({{ expressions | join(', ') }})
{%- endmacro %}
