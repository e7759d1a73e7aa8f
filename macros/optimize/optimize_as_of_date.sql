{# The as-of date of the optimize marts: var optimize_as_of_date, or the last call date in calls_relation. #}
{% macro optimize_as_of_date(calls_relation) %}
    {%- if var('optimize_as_of_date') -%}
        cast('{{ var("optimize_as_of_date") }}' as date)
    {%- else -%}
        (select max(call_date) from {{ calls_relation }})
    {%- endif -%}
{% endmacro %}
