{#- True when two reported model names name the same model: equal, or one is the other plus a dated/versioned
    suffix starting with a digit (`gpt-4o-mini` vs `gpt-4o-mini-2024-07-18`; but not `gpt-4o` vs `gpt-4o-mini`). -#}
{% macro otel_same_model(left_model, right_model) -%}
    coalesce(
        {{ left_model }} = {{ right_model }}
        or (
            {{ dbt.position(dbt.concat([left_model, "'-'"]), right_model) }} = 1
            and substr({{ right_model }}, length({{ left_model }}) + 2, 1) between '0' and '9'
        )
        or (
            {{ dbt.position(dbt.concat([right_model, "'-'"]), left_model) }} = 1
            and substr({{ left_model }}, length({{ right_model }}) + 2, 1) between '0' and '9'
        ),
        false
    )
{%- endmacro %}
