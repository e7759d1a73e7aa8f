{#- Key of one raw span occurrence: the raw table's primary key (source_file, source_line, span_index) as one string. -#}
{% macro otel_span_occurrence_id(relation_alias) -%}
    {{ dbt.concat([
        relation_alias ~ '.source_file', "':'",
        dbt.cast(relation_alias ~ '.source_line', dbt.type_string()), "':'",
        dbt.cast(relation_alias ~ '.span_index', dbt.type_string())
    ]) }}
{%- endmacro %}
