{#- UTC timestamp (without time zone) from a count of nanoseconds since the Unix epoch (numeric or bigint).
    Truncated to microseconds, the precision of DuckDB/PostgreSQL/Spark timestamps. -#}
{% macro unix_nanos_to_timestamp(nanos_expression) -%}
    {{ return(adapter.dispatch('unix_nanos_to_timestamp', 'ai_finops')(nanos_expression)) }}
{%- endmacro %}

{% macro default__unix_nanos_to_timestamp(nanos_expression) -%}
    make_timestamp(cast(floor({{ nanos_expression }} / 1000) as bigint))
{%- endmacro %}

{% macro postgres__unix_nanos_to_timestamp(nanos_expression) -%}
    (timestamp '1970-01-01 00:00:00' + cast(floor({{ nanos_expression }} / 1000) as bigint) * interval '1 microsecond')
{%- endmacro %}

{% macro spark__unix_nanos_to_timestamp(nanos_expression) -%}
    timestamp_micros(cast(floor({{ nanos_expression }} / 1000) as bigint))
{%- endmacro %}
