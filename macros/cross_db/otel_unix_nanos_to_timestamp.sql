{#- UTC timestamp (without time zone) from a count of nanoseconds since the Unix epoch (numeric or bigint).
    Truncated to microseconds (integer division: a double would lose the last digits of a 19-digit nanosecond count). -#}
{% macro unix_nanos_to_timestamp(nanos_expression) -%}
    {{ return(adapter.dispatch('unix_nanos_to_timestamp', 'ai_finops')(nanos_expression)) }}
{%- endmacro %}

{% macro default__unix_nanos_to_timestamp(nanos_expression) -%}
    make_timestamp(cast({{ nanos_expression }} as bigint) // 1000)
{%- endmacro %}

{% macro postgres__unix_nanos_to_timestamp(nanos_expression) -%}
    (timestamp '1970-01-01 00:00:00' + (cast({{ nanos_expression }} as bigint) / 1000) * interval '1 microsecond')
{%- endmacro %}

{% macro spark__unix_nanos_to_timestamp(nanos_expression) -%}
    timestamp_micros(div(cast({{ nanos_expression }} as bigint), 1000))
{%- endmacro %}
