{#- Spark overrides of dbt and dbt-spark macros (dbt looks in the root project first for the `dbt` namespace), each
    for a reason given above it. They only take effect on the spark target. -#}


{#- Spark spelling of a type name written for DuckDB and PostgreSQL in yml (contract `data_type`, seed
    `column_types`): Spark has no length-less varchar and no `double precision`. Other names pass unchanged. -#}
{% macro spark_type(data_type) -%}
    {%- set normalized = data_type | lower | trim -%}
    {%- if normalized in ('varchar', 'text', 'character varying') -%}
        string
    {%- elif normalized == 'double precision' -%}
        double
    {%- else -%}
        {{ data_type }}
    {%- endif -%}
{%- endmacro %}


{#- dbt's `cast` (used by the model contract check to type the yml columns) with the yml type spelled for Spark. -#}
{% macro spark__cast(field, type) -%}
    cast({{ field }} as {{ spark_type(type) }})
{%- endmacro %}


{#- A seed value as a Spark SQL literal: NULL for an empty cell, exact decimal text for numbers, escaped text. -#}
{% macro spark_seed_literal(value) -%}
    {%- if value is none -%}
        null
    {%- elif value is boolean -%}
        {{ 'true' if value else 'false' }}
    {%- elif value is number -%}
        '{{ "{:f}".format(value) }}'
    {%- else -%}
        '{{ (value | string).replace("\\", "\\\\").replace("'", "\\'") }}'
    {%- endif -%}
{%- endmacro %}


{#- Seeds on Spark (overrides dbt-spark's spark__create_csv_table): the same table, with yml column types spelled for
    Spark. -#}
{% macro spark__create_csv_table(model, agate_table) %}
    {%- set column_override = model['config'].get('column_types', {}) -%}
    {%- set quote_seed_column = model['config'].get('quote_columns', None) -%}
    {% set sql %}
        create table {{ this.render() }} (
            {%- for col_name in agate_table.column_names -%}
                {%- set inferred_type = adapter.convert_type(agate_table, loop.index0) -%}
                {%- set type = spark_type(column_override.get(col_name, inferred_type)) -%}
                {{ adapter.quote_seed_column(col_name | string, quote_seed_column) }} {{ type }}
                {%- if not loop.last -%}, {%- endif -%}
            {%- endfor -%}
        )
        {{ file_format_clause() }}
        {{ partition_cols(label="partitioned by") }}
        {{ clustered_cols(label="clustered by") }}
        {{ location_clause() }}
        {{ comment_clause() }}
    {% endset %}
    {% call statement('_') -%}
        {{ sql }}
    {%- endcall %}
    {{ return(sql) }}
{% endmacro %}


{#- Seed rows on Spark (overrides dbt-spark's spark__load_csv_rows): literals instead of session-mode bindings, which
    turn an empty cell into the text 'None', numbers into floats and do not escape quotes. -#}
{% macro spark__load_csv_rows(model, agate_table) %}
    {%- set column_override = model['config'].get('column_types', {}) -%}
    {%- set types = [] -%}
    {%- for col_name in agate_table.column_names -%}
        {%- do types.append(spark_type(column_override.get(col_name, adapter.convert_type(agate_table, loop.index0)))) -%}
    {%- endfor -%}
    {%- set statements = [] -%}
    {%- for chunk in agate_table.rows | batch(get_batch_size()) -%}
        {%- set sql -%}
            insert into {{ this.render() }} values
            {% for row in chunk -%}
                ({%- for value in row -%}
                    cast({{ spark_seed_literal(value) }} as {{ types[loop.index0] }})
                    {%- if not loop.last -%}, {% endif -%}
                {%- endfor -%}){%- if not loop.last -%},{%- endif %}
            {% endfor -%}
        {%- endset -%}
        {%- do adapter.add_query(sql, abridge_sql_log=True) -%}
        {%- do statements.append(sql) -%}
    {%- endfor -%}
    {{ return(statements[0] if statements else '') }}
{% endmacro %}


{#- dbt.split_part on Spark (overrides dbt-spark's, which splits on a regular expression and escapes only the first
    character, so ' | ' split on every space): Spark's own split_part takes the delimiter literally. -#}
{% macro spark__split_part(string_text, delimiter_text, part_number) -%}
    split_part({{ string_text }}, {{ delimiter_text }}, {{ part_number }})
{%- endmacro %}
