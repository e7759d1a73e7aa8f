{% test unique_combination_of_columns(model, combination_of_columns, quote_columns=false) %}
{#- Fails with one row per duplicated combination of the given columns (quoted for the engine when quote_columns). -#}
{%- set columns = [] -%}
{%- for column in combination_of_columns -%}
    {%- do columns.append(adapter.quote(column) if quote_columns else column) -%}
{%- endfor -%}
select
    {{ columns | join(',\n    ') }},
    count(*) as duplicate_rows
from {{ model }}
group by {{ columns | join(', ') }}
having count(*) > 1
{% endtest %}
