{#- One row per billable model call (a leaf model-call span, first delivery):
    the contract of docs/landing_contract.md §3. -#}

with

classified as (

    select * from {{ ref('int_otel_spans_classified') }}

),

billable as (

    select * from classified
    where disposition = 'billable_call'

),

attempts as (

    select
        billable.*,
        {{ dbt.hash(dbt.concat([
            'billable.trace_id', "'|'",
            "coalesce(billable.parent_span_id, '')", "'|'",
            "coalesce(billable.operation_name, '')", "'|'",
            "coalesce(billable.request_model, billable.pricing_model, '')"
        ])) }} as attempt_group_id,
        lag(billable.is_error) over (
            partition by billable.trace_id, billable.parent_span_id, billable.operation_name
            order by billable.started_at, billable.span_id
        ) as is_previous_sibling_error,
        lag(coalesce(billable.request_model, billable.pricing_model)) over (
            partition by billable.trace_id, billable.parent_span_id, billable.operation_name
            order by billable.started_at, billable.span_id
        ) as previous_sibling_model
    from billable

),

numbered as (

    select
        attempts.*,
        cast(row_number() over (
            partition by attempts.attempt_group_id
            order by attempts.started_at, attempts.span_id
        ) as integer) as attempt_number
    from attempts

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
        attempt_number > 1 as is_retry,
        attempt_number = 1
        and coalesce(is_previous_sibling_error, false)
        and previous_sibling_model <> coalesce(request_model, pricing_model) as is_fallback,
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
        span_index
    from numbered

)

select * from final
