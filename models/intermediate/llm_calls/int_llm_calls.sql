{{ config(**incremental_by_date('trace_date')) }}
{%- set window = incremental_window('trace_date') %}

{#- One row per billable model call (a leaf model-call span, first delivery):
    the contract of docs/landing_contract.md §3. -#}

with

classified as (

    {{ select_incremental_parent(ref('int_otel_spans_classified'), window) }}

),

billable as (

    select * from classified
    where disposition = 'billable_call'

),

{# Sibling calls (same trace and parent, any operation: a fallback may change it) in start order. A call right
    after a failed sibling on the same model is a retry attempt of it; right after a failed sibling on another
    model, a fallback (a new logical call). Any other call starts a new logical call. #}
siblings as (

    select
        billable.*,
        coalesce(billable.request_model, billable.pricing_model) as attempt_model,
        lag(billable.is_error) over (
            partition by billable.trace_id, billable.parent_span_id
            order by billable.started_at, billable.span_id
        ) as is_previous_sibling_error,
        lag(coalesce(billable.request_model, billable.pricing_model)) over (
            partition by billable.trace_id, billable.parent_span_id
            order by billable.started_at, billable.span_id
        ) as previous_sibling_model
    from billable

),

{# Same model: equal names, or one is a dated version of the other (`gpt-4o-mini` vs `gpt-4o-mini-2024-07-18`:
    a failed attempt reports only the requested name, the successful one the served name, when the convention has a
    single model key). #}
model_matches as (

    select
        siblings.*,
        {{ otel_same_model('siblings.previous_sibling_model', 'siblings.attempt_model') }} as is_same_model_as_previous
    from siblings

),

attempt_flags as (

    select
        model_matches.*,
        coalesce(model_matches.is_previous_sibling_error, false)
        and model_matches.is_same_model_as_previous as is_retry,
        coalesce(model_matches.is_previous_sibling_error, false)
        and not model_matches.is_same_model_as_previous as starts_fallback
    from model_matches

),

attempt_groups as (

    select
        attempt_flags.*,
        sum(case when attempt_flags.is_retry then 0 else 1 end) over (
            partition by attempt_flags.trace_id, attempt_flags.parent_span_id
            order by attempt_flags.started_at, attempt_flags.span_id
            rows between unbounded preceding and current row
        ) as logical_call_number
    from attempt_flags

),

numbered as (

    select
        attempt_groups.*,
        {{ dbt.hash(dbt.concat([
            'attempt_groups.trace_id', "'|'",
            "coalesce(attempt_groups.parent_span_id, '')", "'|'",
            dbt.cast('attempt_groups.logical_call_number', dbt.type_string())
        ])) }} as attempt_group_id,
        cast(row_number() over (
            partition by
                attempt_groups.trace_id,
                attempt_groups.parent_span_id,
                attempt_groups.logical_call_number
            order by attempt_groups.started_at, attempt_groups.span_id
        ) as integer) as attempt_number,
        max(case when attempt_groups.starts_fallback then 1 else 0 end) over (
            partition by
                attempt_groups.trace_id,
                attempt_groups.parent_span_id,
                attempt_groups.logical_call_number
        ) = 1 as is_fallback
    from attempt_groups

),

final as (

    select
        {{ dbt.concat(['trace_id', "'-'", 'span_id']) }} as call_id,
        trace_id,
        span_id,
        parent_span_id,
        coalesce(task_id, trace_id) as task_id,
        attempt_group_id,
        attempt_number,
        is_retry,
        is_fallback,
        is_streaming,
        is_batch,
        is_error,
        started_at as called_at,
        cast(started_at as date) as call_date,
        provider,
        request_model,
        response_model,
        pricing_model,
        operation_name,
        service_tier,
        region,
        server_address,
        service_name,
        environment,
        customer_id,
        user_id,
        feature_id,
        team_id,
        session_id,
        request_path,
        convention,
        usage_status,
        input_basis,
        input_total_tokens,
        input_uncached_tokens,
        cache_read_tokens,
        cache_write_5m_tokens,
        cache_write_1h_tokens,
        output_tokens,
        reasoning_tokens,
        input_audio_tokens,
        output_audio_tokens,
        input_image_tokens,
        latency_ms,
        time_to_first_token_ms,
        status,
        error_type,
        response_id,
        root_span_id,
        scope_name,
        scope_version,
        source_file,
        source_line,
        span_index,
        trace_date,
        {{ incremental_metadata_columns(window) }}
    from numbered

)

select * from final
{{ incremental_cluster_order('trace_date', window) }}
