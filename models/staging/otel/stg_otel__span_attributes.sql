{{ config(**incremental_by_date('trace_date')) }}

-- depends_on: {{ ref('stg_otel__spans') }}
{# The PostgreSQL JSON helper is created by the project on-run-start hook (create_json_helpers). #}

{# One pass over the attributes, keeping only keys listed in the seed otel_attribute_keys. Content attributes are not
    in the seed, so they never leave raw. On DuckDB the seeded keys are extracted from each JSON object in one call
    and ranked per concept inside the span's row (otel_attribute_keys_to_extract); elsewhere, or when the seed has
    prefix keys, each object is exploded into key/value rows, joined to the seed and ranked by a window. Both paths
    give the same rows (tests/python/test_attribute_extraction.py).
    Incremental like stg_otel__spans (docs/incremental.md): its window follows the trace dates that model rebuilt;
    both read the raw rows of the window's traces through stg_otel__trace_dates. #}
{%- set window = incremental_window('trace_date', ignore_parents=['stg_otel__trace_dates']) %}
{%- set extract_keys = otel_attribute_keys_to_extract() %}

with

source_spans as (

    {{ otel_source_spans_dated(window) }}

),

{%- if extract_keys is none %}

    attribute_keys as (

        select * from {{ ref('otel_attribute_keys') }}

    ),

    span_objects as (
        {%- for scope in ['span', 'resource'] %}
            {%- if not loop.first %}

                union all
            {%- endif %}

            select
                {{ otel_span_occurrence_id('source_spans') }} as span_occurrence_id,
                source_spans.trace_date,
                '{{ scope }}' as attribute_scope,
                {{ json_object_or_null('source_spans.' ~ scope ~ '_attributes') }} as attributes_json
            from source_spans
        {%- endfor %}

    ),

    exploded as (

        select
            span_objects.span_occurrence_id,
            span_objects.trace_date,
            span_objects.attribute_scope,
            attribute_pairs.json_key as attribute_key,
            attribute_pairs.json_value as attribute_value
        from span_objects
        cross join {{ json_each_text('span_objects.attributes_json', 'attribute_pairs') }}
        where span_objects.attributes_json is not null

    ),

    exact_matches as (

        select
            exploded.span_occurrence_id,
            exploded.trace_date,
            exploded.attribute_scope,
            exploded.attribute_key,
            exploded.attribute_value,
            attribute_keys.concept,
            attribute_keys.priority,
            attribute_keys.convention_hint
        from exploded
        inner join attribute_keys
            on
                exploded.attribute_key = attribute_keys.attribute_key
                and exploded.attribute_scope = attribute_keys.attribute_scope
        where attribute_keys.match_type = 'exact'

    ),

    prefix_matches as (

        select
            exploded.span_occurrence_id,
            exploded.trace_date,
            exploded.attribute_scope,
            exploded.attribute_key,
            exploded.attribute_value,
            attribute_keys.concept,
            attribute_keys.priority,
            attribute_keys.convention_hint
        from exploded
        inner join attribute_keys
            on
                exploded.attribute_scope = attribute_keys.attribute_scope
                and {{ dbt.position('attribute_keys.attribute_key', 'exploded.attribute_key') }} = 1
        where attribute_keys.match_type = 'prefix'

    ),

    matched as (

        select * from exact_matches

        union all

        select * from prefix_matches

    ),

    {# Every matched attribute row with its rank within its span and concept. #}
    ranked as (

        select
            span_occurrence_id,
            attribute_scope,
            attribute_key,
            nullif(trim(attribute_value), '') as attribute_value,
            concept,
            priority,
            nullif(convention_hint, '') as convention_hint,
            row_number() over (
                partition by span_occurrence_id, concept
                order by case when nullif(trim(attribute_value), '') is null then 1 else 0 end, priority, attribute_key
            ) as concept_rank,
            trace_date
        from matched

    ),
{%- else %}
    {#- Fast path (DuckDB). The seed's entries, in the order they compete for a concept (concept, priority, key,
        scope), are numbered 1..n; the Jinja lists below are indexed by that number. Each span's attributes are
        extracted by key in one json_extract per object, and its entries are ranked inside the span's own row: sorted
        by an integer key (the concept's group, blank values last, then the entry's number), an entry's concept_rank is
        its distance from the first entry of its concept. No join and no window: the statement streams in memory
        bounded by a vector of spans, where a window over every attribute row (about ten per span) spilled tens of GB
        at 10M spans. A key holding JSON null is present (a row with a NULL value); an absent key is not. Text that
        is not valid JSON has no keys: try() turns json_extract's parse error into NULL, one parse per object where
        a json_valid guard parsed it twice (stg_otel__spans quarantines the span). #}
    {%- set entries = extract_keys %}
    {%- set entry_count = entries | length %}
    {%- set scope_keys = {'span': [], 'resource': []} %}
    {%- for entry in entries if entry.attribute_key not in scope_keys[entry.attribute_scope] %}
        {%- do scope_keys[entry.attribute_scope].append(entry.attribute_key) %}
    {%- endfor %}
    {%- set concepts = entries | map(attribute='concept') | unique | list %}
    {#- Per entry: its position in the extracted key list, its sort base (concept number, then entry number; a blank
        value adds entry_count), and its columns as SQL literals (the seed macro rejects quotes and backslashes). #}
    {%- set entry_positions = [] %}
    {%- set entry_sort_bases = [] %}
    {%- set entry_literals = {
        'attribute_scope': [], 'attribute_key': [], 'concept': [], 'priority': [], 'convention_hint': [],
    } %}
    {%- set concept_numbers = [] %}
    {%- for entry in entries %}
        {%- set concept_number = concepts.index(entry.concept) + 1 %}
        {%- do entry_positions.append(
            scope_keys[entry.attribute_scope].index(entry.attribute_key) + 1
            + (scope_keys['span'] | length if entry.attribute_scope == 'resource' else 0)
        ) %}
        {%- do entry_sort_bases.append((concept_number - 1) * 2 * entry_count + loop.index) %}
        {%- do concept_numbers.append(concept_number) %}
        {%- for column in ['attribute_scope', 'attribute_key', 'concept'] %}
            {%- do entry_literals[column].append("'" ~ entry[column] ~ "'") %}
        {%- endfor %}
        {%- do entry_literals.priority.append(entry.priority) %}
        {%- do entry_literals.convention_hint.append(
            "'" ~ entry.convention_hint ~ "'" if entry.convention_hint else 'null'
        ) %}
    {%- endfor %}

    {#- Per scope, the JSON paths of its keys as a SQL list literal. #}
    {%- set key_paths = {} %}
    {%- for scope in ['span', 'resource'] %}
        {%- set paths = [] %}
        {%- for key in scope_keys[scope] %}
            {%- do paths.append("'$.\"" ~ key ~ "\"'") %}
        {%- endfor %}
        {%- do key_paths.update({scope: '[' ~ paths | join(', ') ~ ']'}) %}
    {%- endfor %}

    extracted as (

        select
            {{ otel_span_occurrence_id('source_spans') }} as span_occurrence_id,
            source_spans.trace_date,
            list_select(
                {%- for scope in ['span', 'resource'] if scope_keys[scope] %}
                    {%- if not loop.first %} ||{% endif %}
                    coalesce(
                        try(json_extract(source_spans.{{ scope }}_attributes, {{ key_paths[scope] }})),
                        json_extract('{}', {{ key_paths[scope] }})
                    )
                {%- endfor %},
                [{{ entry_positions | join(', ') }}]
            ) as entry_json
        from source_spans

    ),

    present as (

        select
            span_occurrence_id,
            trace_date,
            present_entries,
            list_transform(
                list_select(entry_json, present_entries),
                lambda attribute_json: nullif(trim(case when attribute_json != 'null' then attribute_json ->> '$' end), '')
            ) as present_values
        from (
            select
                span_occurrence_id,
                trace_date,
                entry_json,
                list_filter(range(1, {{ entry_count + 1 }}), lambda entry: entry_json[entry] is not null) as present_entries
            from extracted
        ) as filtered

    ),

    sorted as (

        select
            span_occurrence_id,
            trace_date,
            list_select(present_entries, sort_order) as sorted_entries,
            list_select(present_values, sort_order) as sorted_values
        from (
            select
                span_occurrence_id,
                trace_date,
                present_entries,
                present_values,
                list_grade_up(list_transform(
                    list_select([{{ entry_sort_bases | join(', ') }}], present_entries),
                    lambda sort_base, position: sort_base
                    + case when present_values[position] is null then {{ entry_count }} else 0 end
                )) as sort_order
            from present
        ) as graded

    ),

    ranked as (

        select
            span_occurrence_id,
            {%- for column, literals in entry_literals.items() %}
                unnest(list_select([{{ literals | join(', ') }}], sorted_entries)) as {{ column }},
            {%- endfor %}
            unnest(sorted_values) as attribute_value,
            unnest(list_transform(
                sorted_concepts,
                lambda concept_number, position: cast(
                    position - list_position(sorted_concepts, concept_number) + 1 as {{ dbt.type_bigint() }}
                )
            )) as concept_rank,
            trace_date
        from (
            select
                *,
                list_select([{{ concept_numbers | join(', ') }}], sorted_entries) as sorted_concepts
            from sorted
            {#- A full build stores the rows in date order (incremental_cluster_order). Sorted here, a row per span
                with its lists, before the unnest multiplies the rows about tenfold and repeats the span's id on
                each: the unnest and the projections above it keep the order. #}
            {{ incremental_cluster_order('trace_date', window) }}
        ) as numbered

    ),
{%- endif %}

final as (

    select
        span_occurrence_id,
        attribute_scope,
        attribute_key,
        attribute_value,
        concept,
        priority,
        convention_hint,
        concept_rank,
        trace_date,
        {{ incremental_metadata_columns(window) }}
    from ranked

)

select * from final
{%- if extract_keys is none %}
    {{ incremental_cluster_order('trace_date', window) }}
{%- endif %}
