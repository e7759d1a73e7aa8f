{#- One row per raw span occurrence set aside because it could not be read safely, with the reason. -#}

{{ config(**incremental_by_date('trace_date')) }}
{%- set window = incremental_window('trace_date') %}

with

classified as (

    {{ select_incremental_parent(ref('int_otel_spans_classified'), window) }}

),

final as (

    select
        span_occurrence_id,
        trace_id,
        span_id,
        parent_span_id,
        occurrence_number,
        disposition_reason as quarantine_reason,
        bad_token_concept,
        span_name,
        span_role,
        convention,
        provider,
        request_model,
        response_model,
        started_at,
        input_reported_tokens,
        output_reported_tokens,
        cache_read_reported_tokens,
        cache_write_reported_tokens,
        reasoning_reported_tokens,
        source_file,
        source_line,
        span_index,
        loaded_at,
        trace_date,
        {{ incremental_metadata_columns(window) }}
    from classified
    where disposition = 'quarantine'

)

select * from final
{{ incremental_cluster_order('trace_date', window) }}
