{#- The entries of seed otel_attribute_keys, one per seed row, as a list of
    {'attribute_scope', 'attribute_key', 'concept', 'priority', 'convention_hint'} ordered by concept, priority, key
    and scope (the order in which a span's keys compete for a concept; a key may carry several concepts), for the
    seeded-key fast path (otel_attribute_entry_plan): stg_otel__spans extracts only these keys from each JSON object
    and ranks each span's concepts within its own row, instead of exploding every attribute (content included) and
    ranking with a window over all attribute rows; stg_otel__span_attributes and int_otel_spans_typed read those lists.
    Returns none, and the models take the portable explode-and-join path, when:
    - the engine has no list-valued JSON extraction (only DuckDB takes the fast path);
    - dbt is parsing, or the seed table is not built yet;
    - the seed has a prefix key (prefix matching needs every key of the object), or a key, concept or hint the path
      syntax or a SQL literal would have to escape (a quote or a backslash), or a priority that is not an integer.
    The entries are read from the seed table at run time, so an edited seed is picked up on the next run (and, through
    the model's inputs fingerprint, reprocesses history: docs/incremental.md). In a unit test they come from the
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
    {#- A unit test's context has no graph: look the seed up where seeds are built (the target schema). #}
    {%- if not graph.get('nodes') -%}
        {%- do found.update({'relation': adapter.get_relation(target.database, target.schema, 'otel_attribute_keys')}) -%}
    {%- endif -%}
    {%- if found.relation is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set rows = run_query(
        'select attribute_scope, attribute_key, match_type, concept, priority, convention_hint from ' ~ found.relation
        ~ ' order by concept, priority, attribute_key, attribute_scope'
    ).rows -%}
    {%- set entries = [] -%}
    {%- for row in rows -%}
        {%- if row[2] != 'exact' or row[0] not in ['span', 'resource'] or row[1] is none or row[3] is none
            or row[4] is none or (row[4] | string) != ((row[4] | int) | string) -%}
            {{ return(none) }}
        {%- endif -%}
        {%- for text in [row[1], row[3], row[5] or ''] if '"' in text or "'" in text or '\\' in text -%}
            {{ return(none) }}
        {%- endfor -%}
        {%- do entries.append({
            'attribute_scope': row[0], 'attribute_key': row[1], 'concept': row[3], 'priority': row[4] | int,
            'convention_hint': row[5] if row[5] else none,
        }) -%}
    {%- endfor -%}
    {{ return(entries if rows | length > 0 else none) }}
{%- endmacro %}
