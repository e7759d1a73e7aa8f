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
    ({{ value }} rlike {{ pattern }})
{%- endmacro %}
