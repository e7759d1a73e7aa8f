{#- The exact attribute keys of seed otel_attribute_keys, by scope ({'span': [...], 'resource': [...]}), for the fast
    path of stg_otel__span_attributes that extracts only these keys from each JSON object instead of exploding every
    attribute (content included). Returns none, and the model takes the portable explode-and-join path, when:
    - the engine has no list-valued JSON extraction (only DuckDB takes the fast path);
    - dbt is parsing, or the seed table is not built yet;
    - the seed has a prefix key (prefix matching needs every key of the object), or a key the path syntax or a SQL
      literal would have to escape (a quote or a backslash).
    The keys are read from the seed table at run time, so an edited seed is picked up on the next run (and, through
    the model's inputs fingerprint, reprocesses history: docs/incremental.md). In a unit test the keys come from the
    seed table of the warehouse, not from the test's fixture rows: a fixture that adds keys must use the portable
    path (var otel_extract_seeded_keys: false). -#}
{% macro otel_attribute_keys_to_extract() -%}
    {{ return(adapter.dispatch('otel_attribute_keys_to_extract', 'ai_finops')()) }}
{%- endmacro %}

{% macro default__otel_attribute_keys_to_extract() -%}
    {{ return(none) }}
{%- endmacro %}

{% macro duckdb__otel_attribute_keys_to_extract() -%}
    {%- if not execute or not var('otel_extract_seeded_keys', true) -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set found = {'relation': none} -%}
    {%- for node in (graph.get('nodes') or {}).values()
        if node.resource_type == 'seed' and node.name == 'otel_attribute_keys' and node.package_name == 'ai_finops' -%}
        {%- do found.update({'relation': adapter.get_relation(node.database, node.schema, node.alias)}) -%}
    {%- endfor -%}
    {%- if found.relation is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set rows = run_query(
        'select distinct attribute_scope, attribute_key, match_type from ' ~ found.relation
        ~ ' order by attribute_scope, attribute_key'
    ).rows -%}
    {%- set keys = {'span': [], 'resource': []} -%}
    {%- for row in rows -%}
        {%- if row[2] != 'exact' or row[0] not in keys or row[1] is none
            or '"' in row[1] or "'" in row[1] or '\\' in row[1] -%}
            {{ return(none) }}
        {%- endif -%}
        {%- do keys[row[0]].append(row[1]) -%}
    {%- endfor -%}
    {{ return(keys if rows | length > 0 else none) }}
{%- endmacro %}
