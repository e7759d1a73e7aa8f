{#- One row per raw span occurrence: the typed span (int_otel_spans_typed) with what the ancestor walk found
    (int_otel_span_lineage: root, depth, nearest model-call and wrapper ancestors) and its dimensions resolved: its
    own, else the nearest ancestor's, else the trace's (the smallest value among the trace's first deliveries). A
    well-identified span the walk did not reach (deeper than var otel_max_ancestor_depth, or in a parent loop) is
    flagged is_ancestor_walk_truncated and takes the trace's dimensions. -#}

{{ config(**incremental_by_date('trace_date')) }}
{%- set window = incremental_window('trace_date') %}

with

typed as (

    select * from {{ ref('int_otel_spans_typed') }}
    where {{ incremental_window_filter('trace_date', window) }}

),

lineage as (

    select * from {{ ref('int_otel_span_lineage') }}
    where {{ incremental_window_filter('trace_date', window) }}

),

{# Read from the table, not from the typed CTE: DuckDB and PostgreSQL would hold a CTE referenced twice in full. #}
trace_dimensions as (

    select
        {%- for dimension in otel_inherited_dimensions() %}
            min(own_{{ dimension }}) as trace_{{ dimension }},
        {%- endfor %}
        trace_id
    from {{ ref('int_otel_spans_typed') }}
    where
        occurrence_number = 1
        and trace_id is not null
        and span_id is not null
        and {{ incremental_window_filter('trace_date', window) }}
    group by trace_id

),

final as (

    select
        typed.span_occurrence_id,
        typed.trace_id,
        typed.span_id,
        typed.parent_span_id,
        typed.occurrence_number,
        typed.is_redelivery,
        typed.parse_problem,
        typed.bad_token_concept,
        typed.span_name,
        typed.span_kind,
        typed.status,
        typed.status_message,
        typed.scope_name,
        typed.scope_version,
        typed.started_at,
        typed.ended_at,
        typed.latency_ms,
        typed.time_to_first_token_ms,
        typed.convention,
        typed.span_role,
        typed.wrapper_reason,
        typed.operation_name,
        typed.provider_raw,
        typed.provider,
        typed.request_model,
        typed.response_model,
        typed.pricing_model,
        typed.response_id,
        typed.is_streaming,
        typed.is_batch,
        typed.service_tier,
        typed.service_tier_raw,
        typed.error_type,
        typed.is_error,
        typed.server_address,
        typed.region,
        typed.task_outcome,
        lineage.root_span_id,
        lineage.ancestor_depth,
        lineage.span_id is null
        and typed.trace_id is not null
        and typed.span_id is not null as is_ancestor_walk_truncated,
        lineage.nearest_model_call_ancestor_span_id,
        lineage.nearest_wrapper_ancestor_span_id,
        {%- for dimension in otel_inherited_dimensions() %}
            coalesce(
                lineage.inherited_{{ dimension }}, trace_dimensions.trace_{{ dimension }}, typed.own_{{ dimension }}
            )
                as {{ dimension }},
        {%- endfor %}
        typed.usage_status,
        typed.input_basis,
        typed.rule_input_basis,
        typed.input_reported_tokens,
        typed.output_reported_tokens,
        typed.cache_read_reported_tokens,
        typed.cache_write_reported_tokens,
        typed.reasoning_reported_tokens,
        typed.input_total_tokens,
        typed.input_uncached_tokens,
        typed.cache_read_tokens,
        typed.cache_write_5m_tokens,
        typed.cache_write_1h_tokens,
        typed.output_tokens,
        typed.reasoning_tokens,
        typed.input_audio_tokens,
        typed.output_audio_tokens,
        typed.input_image_tokens,
        {%- for concept in otel_token_concepts() %}
            typed.{{ concept }}_attribute,
        {%- endfor %}
        typed.source_file,
        typed.source_line,
        typed.span_index,
        typed.loaded_at,
        typed.trace_date,
        {{ incremental_metadata_columns(window) }}
    from typed
    left outer join lineage
        on
            typed.trace_id = lineage.trace_id
            and typed.span_id = lineage.span_id
    left outer join trace_dimensions
        on typed.trace_id = trace_dimensions.trace_id

)

select * from final
{{ incremental_cluster_order('trace_date', window) }}
