{#- Unit-test input fixtures. On Spark one inline VALUES table per input; elsewhere dbt's own macro, unchanged.
    dbt writes a fixture as one `select ... union all select ...` per row, and Spark inlines every CTE at each of its
    references: an input used by a deep model (the 12-level ancestor walk, the pricing chain) was copied so many times
    that analysing and optimizing one unit test took minutes and could run out of memory. An inline table is a single
    plan node, built when the query is parsed. -#}
{% macro get_fixture_sql(rows, column_name_to_data_types) %}
    {%- if target.type == 'spark' -%}
        {{ spark_fixture_sql(rows, column_name_to_data_types) }}
    {%- else -%}
        {{ dbt.get_fixture_sql(rows, column_name_to_data_types) }}
    {%- endif -%}
{% endmacro %}


{#- dbt's get_fixture_sql (dbt-adapters 1.24) with the rows as one VALUES list: same columns, types, defaults and
    checks. -#}
{% macro spark_fixture_sql(rows, column_name_to_data_types) %}
-- Fixture for {{ model.name }}
{%- set default_row = {} -%}
{%- set column_name_to_quoted = {} -%}
{%- if not column_name_to_data_types -%}
    {%- set this_or_defer_relation = defer_relation if (defer_relation and not load_relation(this)) else this -%}
    {%- set columns_in_relation = adapter.get_columns_in_relation(this_or_defer_relation) -%}
    {%- set column_name_to_data_types = {} -%}
    {%- for column in columns_in_relation -%}
        {%- do column_name_to_data_types.update({column.name | lower: column.data_type}) -%}
        {%- do column_name_to_quoted.update({column.name | lower: column.quoted}) -%}
    {%- endfor -%}
{%- endif -%}
{%- if not column_name_to_data_types -%}
    {{ exceptions.raise_compiler_error("Not able to get columns for unit test '" ~ model.name ~ "' from relation " ~ this ~ " because the relation doesn't exist") }}
{%- endif -%}
{%- for column_name, column_type in column_name_to_data_types.items() -%}
    {%- do default_row.update({column_name: (safe_cast("null", column_type) | trim)}) -%}
    {%- if column_name not in column_name_to_quoted -%}
        {%- do column_name_to_quoted.update({column_name: adapter.quote(column_name)}) -%}
    {%- endif -%}
{%- endfor -%}
{{ validate_fixture_rows(rows, row_number) }}
{%- set columns = default_row.keys() | list %}
{%- if (rows | length) == 0 %}
select
{%- for column_name in columns %} {{ default_row[column_name] }} as {{ column_name_to_quoted[column_name] }}{% if not loop.last -%},{%- endif %}
{%- endfor %}
limit 0
{%- else %}
select * from values
{%- for row in rows -%}
    {%- set values = default_row.copy() -%}
    {%- do values.update(format_row(row, column_name_to_data_types)) %}
    ({%- for column_name in columns -%}{{ values[column_name] }}{% if not loop.last %}, {% endif %}{%- endfor -%}){% if not loop.last %},{% endif %}
{%- endfor %}
    as fixture ({%- for column_name in columns -%}{{ column_name_to_quoted[column_name] }}{% if not loop.last %}, {% endif %}{%- endfor -%})
{%- endif %}
{% endmacro %}
