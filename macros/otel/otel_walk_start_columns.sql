{#- The ancestor walk's state at a root (int_otel_span_lineage, on every engine): the span is its own root at depth 0,
    with no model-call or wrapper ancestor, and inherits its own dimensions. Indented for the select list it ends. -#}
{% macro otel_walk_start_columns() -%}
    span_id as root_span_id,
            0 as ancestor_depth,
            cast(null as {{ dbt.type_string() }}) as nearest_model_call_ancestor_span_id,
            {%- for dimension in otel_inherited_dimensions() %}
                own_{{ dimension }} as inherited_{{ dimension }},
            {%- endfor %}
            cast(null as {{ dbt.type_string() }}) as nearest_wrapper_ancestor_span_id
{%- endmacro %}
