{#-
    True when `value` contains a match of the regular expression `pattern` (search semantics, like Python's
    re.search; anchor with ^ and $ for a full match). Patterns must stay in the RE2 / POSIX shared subset:
    no lookarounds, no (?i) flags (lower-case the value instead). Used for model alias matching.
-#}
{% macro regex_matches(value, pattern) -%}
    {{ return(adapter.dispatch('regex_matches', 'ai_finops')(value, pattern)) }}
{%- endmacro %}

{% macro default__regex_matches(value, pattern) -%}
    regexp_like({{ value }}, {{ pattern }})
{%- endmacro %}

{% macro duckdb__regex_matches(value, pattern) -%}
    regexp_matches({{ value }}, {{ pattern }})
{%- endmacro %}

{% macro postgres__regex_matches(value, pattern) -%}
    ({{ value }} ~ {{ pattern }})
{%- endmacro %}

{% macro spark__regex_matches(value, pattern) -%}
    ({{ value }} rlike {{ spark_regex_literal(pattern) }})
{%- endmacro %}


{#- First capture group of the first match of the regular expression `pattern` in `value`; NULL when it does not
    match. Same pattern subset as regex_matches. -#}
{% macro regex_extract(value, pattern) -%}
    {{ return(adapter.dispatch('regex_extract', 'ai_finops')(value, pattern)) }}
{%- endmacro %}

{% macro default__regex_extract(value, pattern) -%}
    nullif(regexp_extract({{ value }}, {{ pattern }}, 1), '')
{%- endmacro %}

{% macro postgres__regex_extract(value, pattern) -%}
    substring({{ value }} from {{ pattern }})
{%- endmacro %}

{% macro spark__regex_extract(value, pattern) -%}
    nullif(regexp_extract({{ value }}, {{ spark_regex_literal(pattern) }}, 1), '')
{%- endmacro %}


{#- Spark reads backslash escapes in string literals ('\.' would reach the regex engine as '.'): a pattern given as
    a quoted SQL literal gets its backslashes doubled; a column or other expression passes unchanged. -#}
{% macro spark_regex_literal(pattern) -%}
    {%- set text = pattern | trim -%}
    {%- if text.startswith("'") and text.endswith("'") -%}
        {{ text.replace('\\', '\\\\') }}
    {%- else -%}
        {{ pattern }}
    {%- endif -%}
{%- endmacro %}
