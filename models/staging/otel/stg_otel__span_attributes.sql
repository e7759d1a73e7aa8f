{{ config(**incremental_by_date('trace_date')) }}

-- depends_on: {{ ref('stg_otel__spans') }}
{# The PostgreSQL JSON helper is created by the project on-run-start hook (create_json_helpers). #}

{# One pass over the attributes, keeping only keys listed in the seed otel_attribute_keys. Content attributes are not
    in the seed, so they never leave raw. On DuckDB the seeded keys are extracted from each JSON object in one call
    (otel_attribute_keys_to_extract); elsewhere, or when the seed has prefix keys, each object is exploded into
    key/value rows and joined to the seed. Both paths give the same rows (tests/python/test_attribute_extraction.py).
    Incremental like stg_otel__spans (docs/incremental.md): its window follows the trace dates that model rebuilt. #}
{%- set window = incremental_window('trace_date') %}
{%- set extract_keys = otel_attribute_keys_to_extract() %}

with

source_spans as (

    select * from ({{ otel_source_spans_with_trace_date() }}) as dated
    where {{ incremental_window_filter('dated.trace_date', window) }}

),

attribute_keys as (

    select * from {{ ref('otel_attribute_keys') }}

),

{%- if extract_keys is none %}

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
{%- else %}

    {#- Fast path: one json_extract per object for all seeded keys of its scope. A key holding JSON null gives a row
        with a NULL value, as json_each does; an absent key gives no row. #}
    exploded as (
        {%- for scope, keys in extract_keys.items() if keys %}
            {%- if not loop.first %}

            union all
            {%- endif %}

            select
                span_occurrence_id,
                trace_date,
                '{{ scope }}' as attribute_scope,
                attribute_key,
                case when attribute_json != 'null' then attribute_json ->> '$' end as attribute_value
            from (
                select
                    {{ otel_span_occurrence_id('source_spans') }} as span_occurrence_id,
                    source_spans.trace_date,
                    unnest([{% for key in keys %}'{{ key }}'{{ ', ' if not loop.last }}{% endfor %}]) as attribute_key,
                    unnest(json_extract(
                        source_spans.{{ scope }}_attributes,
                        [{% for key in keys %}'$."{{ key }}"'{{ ', ' if not loop.last }}{% endfor %}]
                    )) as attribute_json
                from source_spans
                where json_valid(source_spans.{{ scope }}_attributes)
            ) as extracted
            where attribute_json is not null
        {%- endfor %}

    ),
{%- endif %}

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

final as (

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
        trace_date,
        {{ incremental_metadata_columns(window) }}
    from matched

)

select * from final
