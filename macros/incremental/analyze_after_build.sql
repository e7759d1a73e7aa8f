{#- post-hook of every table and incremental model (dbt_project.yml): refresh the planner statistics on PostgreSQL,
    whose autovacuum would analyze a freshly built table only later. Without them, estimates of one row on tables of
    millions send the planner to nested loops (measured: int_otel_spans_classified ran for more than 25 minutes at 1M
    spans). Nothing on other engines. -#}
{% macro analyze_after_build() -%}
    {%- if target.type == 'postgres' and model.config.materialized in ('table', 'incremental') -%}
        analyze {{ this }}
    {%- endif -%}
{%- endmacro %}
