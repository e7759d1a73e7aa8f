{#- The seeded-key fast path (DuckDB) keeps each span's matched attributes as two lists on the span's own row of
    stg_otel__spans: attribute_entry_numbers (which seed entries are present, in rank order) and attribute_entry_values
    (their values, blanks as NULL). stg_otel__span_attributes unnests them into its rows; int_otel_spans_typed reads the
    rank-1 value of each concept in place. The JSON is parsed once per span, and no model regroups attribute rows into
    spans (docs/decisions.md).

    An entry number is the position of a seed row in otel_attribute_keys_to_extract() (ordered by concept, priority,
    key, scope). The plan below turns those entries into the Jinja lists the three models index by entry number; each
    model computes it from the seed table at run time, the same seed in one run. -#}
{% macro otel_attribute_entry_plan() -%}
    {%- set entries = otel_attribute_keys_to_extract() -%}
    {%- if entries is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set entry_count = entries | length -%}
    {%- set scope_keys = {'span': [], 'resource': []} -%}
    {%- for entry in entries if entry.attribute_key not in scope_keys[entry.attribute_scope] -%}
        {%- do scope_keys[entry.attribute_scope].append(entry.attribute_key) -%}
    {%- endfor -%}
    {%- set concepts = entries | map(attribute='concept') | unique | list -%}
    {#- Per entry: its position in the extracted key list, its sort base (concept number, then entry number; a blank
        value adds entry_count), its concept number, and its columns as SQL literals (otel_attribute_keys_to_extract
        rejects quotes and backslashes). -#}
    {%- set plan = {
        'entry_count': entry_count, 'concepts': concepts, 'scope_keys': scope_keys, 'key_paths': {},
        'entry_positions': [], 'entry_sort_bases': [], 'concept_numbers': [],
        'literals': {'attribute_scope': [], 'attribute_key': [], 'concept': [], 'priority': [], 'convention_hint': []},
    } -%}
    {%- for entry in entries -%}
        {%- set concept_number = concepts.index(entry.concept) + 1 -%}
        {%- do plan.entry_positions.append(
            scope_keys[entry.attribute_scope].index(entry.attribute_key) + 1
            + (scope_keys['span'] | length if entry.attribute_scope == 'resource' else 0)
        ) -%}
        {%- do plan.entry_sort_bases.append((concept_number - 1) * 2 * entry_count + loop.index) -%}
        {%- do plan.concept_numbers.append(concept_number) -%}
        {%- for column in ['attribute_scope', 'attribute_key', 'concept'] -%}
            {%- do plan.literals[column].append("'" ~ entry[column] ~ "'") -%}
        {%- endfor -%}
        {%- do plan.literals.priority.append(entry.priority) -%}
        {%- do plan.literals.convention_hint.append(
            "'" ~ entry.convention_hint ~ "'" if entry.convention_hint else 'null'
        ) -%}
    {%- endfor -%}
    {#- Per concept number, the concept's name as a SQL literal. -#}
    {%- set concept_literals = [] -%}
    {%- for concept in concepts -%}
        {%- do concept_literals.append("'" ~ concept ~ "'") -%}
    {%- endfor -%}
    {%- do plan.update({'concept_literals': concept_literals}) -%}
    {#- Per scope, the JSON paths of its keys as a SQL list literal. -#}
    {%- for scope in ['span', 'resource'] -%}
        {%- set paths = [] -%}
        {%- for key in scope_keys[scope] -%}
            {%- do paths.append("'$.\"" ~ key ~ "\"'") -%}
        {%- endfor -%}
        {%- do plan.key_paths.update({scope: '[' ~ paths | join(', ') ~ ']'}) -%}
    {%- endfor -%}
    {{ return(plan) }}
{%- endmacro %}


{#- A select of every column of `relation` (raw spans with span_attributes and resource_attributes JSON text) plus
    attribute_entry_numbers and attribute_entry_values. Each object is parsed once: json_extract of the seeded keys
    only. An entry is present when its key is in the object; a key holding JSON null or blanks is present with a NULL
    value. The entries are sorted by an integer key (the concept's group, blank values last, then the entry number),
    so an entry's concept_rank is its distance from the first entry of its concept. Text that is not valid JSON has no
    keys: try() turns json_extract's parse error into NULL (stg_otel__spans quarantines the span). -#}
{% macro otel_attribute_lists_select(relation, plan) -%}
    select
        graded.* exclude (present_entries, present_values, sort_order),
        list_select(graded.present_entries, graded.sort_order) as attribute_entry_numbers,
        list_select(graded.present_values, graded.sort_order) as attribute_entry_values
    from (
        select
            present.*,
            list_grade_up(list_transform(
                list_select([{{ plan.entry_sort_bases | join(', ') }}], present.present_entries),
                lambda sort_base, position: sort_base
                + case when present.present_values[position] is null then {{ plan.entry_count }} else 0 end
            )) as sort_order
        from (
            select
                filtered.* exclude (entry_json),
                list_transform(
                    list_select(filtered.entry_json, filtered.present_entries),
                    lambda attribute_json: nullif(
                        trim(case when attribute_json != 'null' then attribute_json ->> '$' end), ''
                    )
                ) as present_values
            from (
                select
                    extracted.*,
                    list_filter(
                        range(1, {{ plan.entry_count + 1 }}), lambda entry: extracted.entry_json[entry] is not null
                    ) as present_entries
                from (
                    select
                        spans.*,
                        list_select(
                            {%- for scope in ['span', 'resource'] if plan.scope_keys[scope] %}
                                {%- if not loop.first %} ||{% endif %}
                                coalesce(
                                    try(json_extract(spans.{{ scope }}_attributes, {{ plan.key_paths[scope] }})),
                                    json_extract('{}', {{ plan.key_paths[scope] }})
                                )
                            {%- endfor %},
                            [{{ plan.entry_positions | join(', ') }}]
                        ) as entry_json
                    from {{ relation }} as spans
                ) as extracted
            ) as filtered
        ) as present
    ) as graded
{%- endmacro %}


{#- A select of one row per entry of attribute_entry_numbers and attribute_entry_values in `relation` (stg_otel__spans,
    or a select of otel_attribute_lists_select): the span, the entry's seed columns (looked up by entry number), its
    value and its concept_rank (its distance from the first entry of its concept), and trace_date. The relation is
    read within `window` (a full build reads every row) and, on a full build, sorted by trace_date per span, before
    the unnest multiplies the rows about tenfold and repeats the span's id on each: the unnest and the projections
    above it keep that order (incremental_cluster_order). -#}
{% macro otel_attribute_rows_select(relation, plan, window) -%}
    select
        span_occurrence_id,
        {%- for column, literals in plan.literals.items() %}
            unnest(list_select([{{ literals | join(', ') }}], attribute_entry_numbers)) as {{ column }},
        {%- endfor %}
        unnest(attribute_entry_values) as attribute_value,
        unnest(list_transform(
            entry_concepts,
            lambda concept_number, position: cast(
                position - list_position(entry_concepts, concept_number) + 1 as {{ dbt.type_bigint() }}
            )
        )) as concept_rank,
        trace_date
    from (
        select
            listed.span_occurrence_id,
            listed.trace_date,
            listed.attribute_entry_numbers,
            listed.attribute_entry_values,
            list_select([{{ plan.concept_numbers | join(', ') }}], listed.attribute_entry_numbers) as entry_concepts
        from {{ relation }} as listed
        where {{ incremental_window_filter('listed.trace_date', window) }}
        {{ incremental_cluster_order('trace_date', window) }}
    ) as numbered
{%- endmacro %}
