{#- Parsers for the quirks of provider billing exports. Each returns NULL (never an error) when the text does not
    have the expected shape, so staging can name the problem in `parse_problem` instead of failing the build. -#}


{#- A UTC timestamp from ISO-like text: `2026-08-01T00:00:00Z`, `2026-08-01T00:00:00.000Z`,
    `2026-08-01 00:00:00 UTC`, `2026-08-01 00:00:00.000000 UTC`, `2026-08-01 00:00:00`, `2026-08-01`. -#}
{% macro billing_parse_timestamp(expression) -%}
    {{ return(adapter.dispatch('billing_parse_timestamp', 'ai_finops')(expression)) }}
{%- endmacro %}

{% macro billing_timestamp_text(expression) -%}
    replace(replace(replace(trim(cast({{ expression }} as {{ dbt.type_string() }})), ' UTC', ''), 'T', ' '), 'Z', '')
{%- endmacro %}

{% macro default__billing_parse_timestamp(expression) -%}
    try_cast({{ billing_timestamp_text(expression) }} as timestamp)
{%- endmacro %}

{% macro postgres__billing_parse_timestamp(expression) -%}
    case
        when {{ billing_timestamp_text(expression) }}
            ~ '^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])( ([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]+)?)?)?$'
            then cast({{ billing_timestamp_text(expression) }} as timestamp)
    end
{%- endmacro %}


{#- A UTC timestamp from Unix epoch seconds held as text (`1785542400`). -#}
{% macro billing_epoch_seconds_to_timestamp(expression) -%}
    {{ dbt.dateadd('second', try_cast(expression, 'bigint'), "cast('1970-01-01 00:00:00' as timestamp)") }}
{%- endmacro %}


{#- A date from US-style M/D/YYYY text (`8/1/2026`, `12/31/2026`), as Azure Cost Management exports write it;
    ISO `YYYY-MM-DD` text is accepted too. -#}
{% macro billing_parse_mdy_date(expression) -%}
    {%- set text_value = "trim(cast(" ~ expression ~ " as " ~ dbt.type_string() ~ "))" -%}
    case
        when {{ regex_matches(text_value, "'^[0-9]{1,2}/[0-9]{1,2}/[0-9]{4}$'") }}
            then {{ try_cast(dbt.concat([
                dbt.split_part(text_value, "'/'", 3), "'-'",
                "lpad(" ~ dbt.split_part(text_value, "'/'", 1) ~ ", 2, '0')", "'-'",
                "lpad(" ~ dbt.split_part(text_value, "'/'", 2) ~ ", 2, '0')"]), 'date') }}
        else {{ try_cast(text_value, 'date') }}
    end
{%- endmacro %}


{#- Explode a JSON array held as text into one row per element, as the right side of a lateral join:
    `from t cross join {{ billing_json_array_elements('t.col', 'e') }}` then `e.element_index` (0-based) and
    `e.element_json` (the element as JSON text). The caller passes only JSON arrays (check with
    `billing_is_json_array`). -#}
{% macro billing_json_array_elements(json_expression, alias) -%}
    {{ return(adapter.dispatch('billing_json_array_elements', 'ai_finops')(json_expression, alias)) }}
{%- endmacro %}

{% macro default__billing_json_array_elements(json_expression, alias) -%}
    lateral (
        select
            cast(each_row.key as integer) as element_index,
            cast(each_row.value as {{ dbt.type_string() }}) as element_json
        from json_each({{ json_expression }}) as each_row
    ) as {{ alias }}
{%- endmacro %}

{% macro spark__billing_json_array_elements(json_expression, alias) -%}
    lateral posexplode(from_json({{ json_expression }}, 'array<string>')) as {{ alias }} (element_index, element_json)
{%- endmacro %}

{% macro postgres__billing_json_array_elements(json_expression, alias) -%}
    lateral (
        select
            cast(each_row.element_index - 1 as integer) as element_index,
            cast(each_row.element_value as text) as element_json
        from json_array_elements(cast({{ json_expression }} as json)) with ordinality
            as each_row (element_value, element_index)
    ) as {{ alias }}
{%- endmacro %}


{#- True when the text is a JSON array (cheap shape check: starts with `[` and ends with `]`). -#}
{% macro billing_is_json_array(expression) -%}
    ({{ regex_matches("trim(" ~ expression ~ ")", "'^\\[.*\\]$'") }})
{%- endmacro %}


{#- Text of one top-level key of a JSON object held as text that is known to be valid JSON (an element from
    `billing_json_array_elements`). Use the project's `json_extract_text` for untrusted text. -#}
{% macro billing_json_value_text(json_expression, json_key) -%}
    {{ return(adapter.dispatch('billing_json_value_text', 'ai_finops')(json_expression, json_key)) }}
{%- endmacro %}

{% macro default__billing_json_value_text(json_expression, json_key) -%}
    json_extract_string({{ json_expression }}, '$.{{ json_key }}')
{%- endmacro %}

{% macro spark__billing_json_value_text(json_expression, json_key) -%}
    get_json_object({{ json_expression }}, '$.{{ json_key }}')
{%- endmacro %}

{% macro postgres__billing_json_value_text(json_expression, json_key) -%}
    (cast({{ json_expression }} as json) ->> '{{ json_key }}')
{%- endmacro %}


{#- The problems found on one row, joined by '; ' (NULL when there is none). Each argument is a SQL expression
    that is NULL when fine and a short reason text otherwise. -#}
{% macro billing_problems(problem_expressions) -%}
    nullif(concat_ws('; ', {{ problem_expressions | join(', ') }}), '')
{%- endmacro %}


{#- A reason when a raw text value is present but did not convert (`parsed` is the converted expression). -#}
{% macro billing_cast_problem(raw_expression, parsed_expression, reason) -%}
    case when {{ raw_expression }} is not null and {{ parsed_expression }} is null then '{{ reason }}' end
{%- endmacro %}


{#- Text of one top-level key of a JSON object held as untrusted text; NULL when the text is not an object.
    DuckDB checks validity with json_valid; PostgreSQL checks the `{...}` shape only (text shaped like an object
    that still is not JSON raises an error there: the loader writes these columns as valid JSON). Unlike the
    project's json_extract_text it needs no helper function, so billing views build in parallel with the others. -#}
{% macro billing_json_object_text(json_expression, json_key) -%}
    {{ return(adapter.dispatch('billing_json_object_text', 'ai_finops')(json_expression, json_key)) }}
{%- endmacro %}

{% macro default__billing_json_object_text(json_expression, json_key) -%}
    case
        when json_valid({{ json_expression }}) and json_type({{ json_expression }}) = 'OBJECT'
            then json_extract_string({{ json_expression }}, '$.{{ json_key }}')
    end
{%- endmacro %}

{% macro spark__billing_json_object_text(json_expression, json_key) -%}
    case
        when from_json({{ json_expression }}, 'map<string,string>') is not null
            then get_json_object({{ json_expression }}, '$.{{ json_key }}')
    end
{%- endmacro %}

{% macro postgres__billing_json_object_text(json_expression, json_key) -%}
    case
        when {{ json_expression }} ~ '^\s*[{].*[}]\s*$'
            then cast({{ json_expression }} as json) ->> '{{ json_key }}'
    end
{%- endmacro %}


{#- Row key of a raw billing row: hash of the export kind, source_file, source_line and any further position
    columns (bucket_index, result_index, credit_index). -#}
{% macro billing_row_id(source_system, position_columns=[]) -%}
    {%- set parts = ["'" ~ source_system ~ "|'", "source_file", "'|'", "cast(source_line as " ~ dbt.type_string() ~ ")"] -%}
    {%- for column in position_columns -%}
        {%- do parts.extend(["'|'", "cast(" ~ column ~ " as " ~ dbt.type_string() ~ ")"]) -%}
    {%- endfor -%}
    {{ dbt.hash(dbt.concat(parts)) }}
{%- endmacro %}
