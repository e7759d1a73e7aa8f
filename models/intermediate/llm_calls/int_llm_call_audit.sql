{#- One row per span occurrence that carries or could carry usage but is not billed: wrappers (agent aggregate,
    SDK outer span, framework wrapper) and duplicates (same response id, re-delivery), with the pointer to the
    billable span they duplicate. -#}

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
        disposition,
        disposition_reason,
        duplicate_of_span_id,
        {{ dbt.concat(['trace_id', "'-'", 'duplicate_of_span_id']) }} as duplicate_of_call_id,
        span_name,
        span_role,
        convention,
        provider,
        request_model,
        response_model,
        response_id,
        started_at,
        usage_status,
        input_reported_tokens,
        output_reported_tokens,
        cache_read_reported_tokens,
        cache_write_reported_tokens,
        reasoning_reported_tokens,
        input_total_tokens,
        input_uncached_tokens,
        cache_read_tokens,
        cache_write_5m_tokens,
        cache_write_1h_tokens,
        output_tokens,
        reasoning_tokens,
        source_file,
        source_line,
        span_index,
        trace_date,
        {{ incremental_metadata_columns(window) }}
    from classified
    where disposition in ('wrapper', 'duplicate')

)

select * from final
{{ incremental_cluster_order('trace_date', window) }}
