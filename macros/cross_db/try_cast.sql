{#- A cast that returns NULL instead of failing when the value does not convert.
    dbt.safe_cast is a plain cast on DuckDB and PostgreSQL, so bad values would crash the build. -#}
{% macro try_cast(expression, data_type) -%}
    {{ return(adapter.dispatch('try_cast', 'ai_finops')(expression, data_type)) }}
{%- endmacro %}

{% macro default__try_cast(expression, data_type) -%}
    try_cast({{ expression }} as {{ data_type }})
{%- endmacro %}

{% macro spark__try_cast(expression, data_type) -%}
    try_cast({{ expression }} as {{ data_type }})
{%- endmacro %}

{% macro postgres__try_cast(expression, data_type) -%}
    {#- PostgreSQL has no try_cast: validate the text against a pattern for the type family first. -#}
    {%- set type_lower = data_type | lower | trim -%}
    {%- set text_value = "trim(cast(" ~ expression ~ " as text))" -%}
    {%- if type_lower in ('bigint', 'integer', 'int', 'smallint', 'int8', 'int4') -%}
    case
        when {{ text_value }} ~ '^[+-]?[0-9]{1,18}$' then cast({{ text_value }} as {{ data_type }})
    end
    {%- elif type_lower.startswith('decimal') or type_lower.startswith('numeric') or type_lower in ('double precision', 'double', 'float', 'real') -%}
    case
        when {{ text_value }} ~ '^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$' then cast({{ text_value }} as {{ data_type }})
    end
    {%- elif type_lower in ('boolean', 'bool') -%}
    case
        when lower({{ text_value }}) in ('true', 't', '1', 'yes', 'y') then true
        when lower({{ text_value }}) in ('false', 'f', '0', 'no', 'n') then false
    end
    {%- elif type_lower == 'date' -%}
    {#- Shape and ranges are checked; an impossible day such as 2026-02-30 still raises (documented limitation). -#}
    case
        when {{ text_value }} ~ '^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$' then cast({{ text_value }} as date)
    end
    {%- else -%}
    cast({{ expression }} as {{ data_type }})
    {%- endif -%}
{%- endmacro %}
