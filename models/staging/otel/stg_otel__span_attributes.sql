{{ config(**incremental_by_date('trace_date')) }}

-- depends_on: {{ ref('stg_otel__spans') }}
{# The PostgreSQL JSON helper is created by the project on-run-start hook (create_json_helpers). #}

{# One pass over the attributes, keeping only keys listed in the seed otel_attribute_keys. Content attributes are not
    in the seed, so they never leave raw. On DuckDB stg_otel__spans extracts the seeded keys from each JSON object in
    one call and ranks them per concept inside the span's row (otel_attribute_lists_select); this model unnests those
    lists. Elsewhere, or when the seed has prefix keys, each raw object is exploded here into key/value rows, joined to
    the seed and ranked by a window. Both paths give the same rows (tests/python/test_attribute_extraction.py).
    Incremental like stg_otel__spans (docs/incremental.md): its window follows the trace dates that model rebuilt;
    the portable path reads the raw rows of the window's traces through stg_otel__trace_dates, the fast path the
    window's rows of stg_otel__spans. #}
{%- set window = incremental_window('trace_date', ignore_parents=['stg_otel__trace_dates']) %}
{%- set extract_keys = otel_attribute_entry_plan() %}

with

{% if extract_keys is none %}

    source_spans as (

        {{ otel_source_spans_dated(window) }}

    ),

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
{% else %}
    {#- Fast path (DuckDB): stg_otel__spans already holds each span's present entries and their values, ranked inside
        the span's row (macro otel_attribute_lists_select, one json_extract per object); this model unnests them
        (macro otel_attribute_rows_select). No join and no window: where a window over every attribute row (about
        ten per span) spilled tens of GB at 10M spans, this streams. -#}

    ranked as (

        {{ otel_attribute_rows_select(ref('stg_otel__spans'), extract_keys, window) }}

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
