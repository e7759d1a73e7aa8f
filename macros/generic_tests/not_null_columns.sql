{% test not_null_columns(model, column_names, quote_columns=false) %}
{#- Fails with one row per listed column that holds NULLs, with the number of NULL rows. One scan of the model for
    every column (one not_null test per column would scan it once per column and add a dbt node each). -#}
{%- set columns = [] -%}
{%- for column in column_names -%}
    {%- do columns.append(adapter.quote(column) if quote_columns else column) -%}
{%- endfor -%}
select
    names.column_name,
    case names.column_number
        {%- for column in columns %}
            when {{ loop.index }} then null_counts.nulls_{{ loop.index }}
        {%- endfor %}
    end as null_rows
from (
    select
        {%- for column in columns %}
            sum(case when {{ column }} is null then 1 else 0 end) as nulls_{{ loop.index }}
            {{- ',' if not loop.last }}
        {%- endfor %}
    from {{ model }}
) as null_counts
cross join (
    {%- for column in column_names %}
        select {{ loop.index }} as column_number, '{{ column }}' as column_name
        {%- if not loop.last %} union all{% endif %}
    {%- endfor %}
) as names
where
    case names.column_number
        {%- for column in columns %}
            when {{ loop.index }} then null_counts.nulls_{{ loop.index }}
        {%- endfor %}
    end > 0
{% endtest %}
