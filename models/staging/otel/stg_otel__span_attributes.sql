{{ config(**incremental_by_date('trace_date')) }}

-- depends_on: {{ ref('stg_otel__spans') }}
{# The PostgreSQL JSON helper is created by the project on-run-start hook (create_json_helpers). #}

{# One pass over the attributes: each JSON object is exploded once into key/value rows, and only keys listed in
    the seed otel_attribute_keys are kept. Content attributes are not in the seed, so they never leave raw.
    Incremental like stg_otel__spans (docs/incremental.md): its window follows the trace dates that model rebuilt. #}
{%- set window = incremental_window('trace_date') %}

with

source_spans as (

    select * from ({{ otel_source_spans_with_trace_date() }}) as dated
    where {{ incremental_window_filter('dated.trace_date', window) }}

),

attribute_keys as (

    select * from {{ ref('otel_attribute_keys') }}

),

span_objects as (

    select
        {{ otel_span_occurrence_id('source_spans') }} as span_occurrence_id,
        source_spans.trace_date,
        'span' as attribute_scope,
        {{ json_object_or_null('source_spans.span_attributes') }} as attributes_json
    from source_spans

    union all

    select
        {{ otel_span_occurrence_id('source_spans') }} as span_occurrence_id,
        source_spans.trace_date,
        'resource' as attribute_scope,
        {{ json_object_or_null('source_spans.resource_attributes') }} as attributes_json
    from source_spans

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
