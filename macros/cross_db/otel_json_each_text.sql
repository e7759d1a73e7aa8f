{#- Explode a flat JSON object held as text into (key, value_text) rows, once per row.
    Used as the right side of a lateral join: `from t cross join {{ json_each_text('t.col', 'j') }}`
    then `j.json_key` and `j.json_value` (text; JSON strings unquoted, numbers/booleans as their literal text,
    arrays/objects as JSON text, JSON null as NULL). The caller must pass only valid JSON objects
    (see `json_object_or_null`). -#}
{% macro json_each_text(json_expression, alias) -%}
    {{ return(adapter.dispatch('json_each_text', 'ai_finops')(json_expression, alias)) }}
{%- endmacro %}

{% macro default__json_each_text(json_expression, alias) -%}
    lateral (
        select
            each_row.key as json_key,
            case when each_row.type = 'NULL' then null else each_row.value ->> '$' end as json_value
        from json_each({{ json_expression }}) as each_row
    ) as {{ alias }}
{%- endmacro %}

{% macro postgres__json_each_text(json_expression, alias) -%}
    lateral (
        select
            each_row.key as json_key,
            each_row.value as json_value
        from json_each_text({{ json_expression }}) as each_row
    ) as {{ alias }}
{%- endmacro %}

{% macro spark__json_each_text(json_expression, alias) -%}
    lateral explode(from_json({{ json_expression }}, 'map<string,string>')) as {{ alias }} (json_key, json_value)
{%- endmacro %}


{#- A JSON object parsed from text, or NULL when the text is empty, not valid JSON, or not an object.
    PostgreSQL 15 has no `is json`, so a small plpgsql helper (created by `create_json_helpers`, run on-run-start)
    catches the parse error. -#}
{% macro json_object_or_null(text_expression) -%}
    {{ return(adapter.dispatch('json_object_or_null', 'ai_finops')(text_expression)) }}
{%- endmacro %}

{#- Valid JSON whose first non-blank character is `{` is an object: a regex anchored at the start instead of
    json_type, which would parse the whole text (prompts included) a second time. -#}
{% macro default__json_object_or_null(text_expression) -%}
    case
        when json_valid({{ text_expression }}) and regexp_matches({{ text_expression }}, '^\s*\{')
            then cast({{ text_expression }} as json)
    end
{%- endmacro %}

{% macro postgres__json_object_or_null(text_expression) -%}
    {{ target.schema }}.ai_finops_json_object_or_null({{ text_expression }})
{%- endmacro %}

{% macro spark__json_object_or_null(text_expression) -%}
    case when from_json({{ text_expression }}, 'map<string,string>') is not null then {{ text_expression }} end
{%- endmacro %}


{#- True when the text is a valid JSON object (NULL for NULL text): the test of json_object_or_null without building
    the JSON value, for callers that only need to know. -#}
{% macro json_is_object(text_expression) -%}
    {{ return(adapter.dispatch('json_is_object', 'ai_finops')(text_expression)) }}
{%- endmacro %}

{% macro default__json_is_object(text_expression) -%}
    (json_valid({{ text_expression }}) and regexp_matches({{ text_expression }}, '^\s*\{'))
{%- endmacro %}

{% macro postgres__json_is_object(text_expression) -%}
    ({{ json_object_or_null(text_expression) }} is not null)
{%- endmacro %}

{% macro spark__json_is_object(text_expression) -%}
    (from_json({{ text_expression }}, 'map<string,string>') is not null)
{%- endmacro %}


{#- Text of one top-level key of a JSON object held as text (NULL when absent or not valid JSON). -#}
{% macro json_extract_text(text_expression, json_key) -%}
    {{ return(adapter.dispatch('json_extract_text', 'ai_finops')(text_expression, json_key)) }}
{%- endmacro %}

{% macro default__json_extract_text(text_expression, json_key) -%}
    ({{ json_object_or_null(text_expression) }} ->> '{{ json_key }}')
{%- endmacro %}

{% macro postgres__json_extract_text(text_expression, json_key) -%}
    ({{ json_object_or_null(text_expression) }} ->> '{{ json_key }}')
{%- endmacro %}

{% macro spark__json_extract_text(text_expression, json_key) -%}
    get_json_object({{ text_expression }}, '$.{{ json_key }}')
{%- endmacro %}


{#- on-run-start hook (dbt_project.yml): create the PostgreSQL helper used by json_object_or_null before any
    model or unit test needs it (no-op elsewhere). -#}
{% macro create_json_helpers() -%}
    {{ return(adapter.dispatch('create_json_helpers', 'ai_finops')()) }}
{%- endmacro %}

{% macro default__create_json_helpers() -%}
    select 1
{%- endmacro %}

{% macro postgres__create_json_helpers() -%}
    create schema if not exists {{ target.schema }};
    create or replace function {{ target.schema }}.ai_finops_json_object_or_null(raw_text text) returns json
    language plpgsql immutable as $fn$
    declare
        parsed json;
    begin
        if raw_text is null or btrim(raw_text) = '' then
            return null;
        end if;
        parsed := raw_text::json;
        if json_typeof(parsed) = 'object' then
            return parsed;
        end if;
        return null;
    exception when others then
        return null;
    end;
    $fn$
{%- endmacro %}
