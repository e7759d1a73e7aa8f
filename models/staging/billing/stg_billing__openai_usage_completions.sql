with

source as (

    select * from {{ source('billing', 'billing_openai_usage_completions') }}

),

parsed as (

    select
        organization_id,
        project_id,
        user_id,
        api_key_id,
        model,
        service_tier,
        {{ try_cast('batch', 'boolean') }} as is_batch,
        {{ try_cast('bucket_index', 'integer') }} as bucket_index,
        {{ try_cast('result_index', 'integer') }} as result_index,
        start_time as start_time_raw,
        {{ billing_epoch_seconds_to_timestamp('start_time') }} as usage_period_start,
        {{ billing_epoch_seconds_to_timestamp('end_time') }} as usage_period_end,
        input_tokens as input_tokens_raw,
        output_tokens as output_tokens_raw,
        input_cached_tokens as input_cached_tokens_raw,
        {{ try_cast('input_tokens', 'bigint') }} as input_tokens,
        {{ try_cast('input_cached_tokens', 'bigint') }} as input_cached_tokens,
        {{ try_cast('output_tokens', 'bigint') }} as output_tokens,
        {{ try_cast('input_audio_tokens', 'bigint') }} as input_audio_tokens,
        {{ try_cast('output_audio_tokens', 'bigint') }} as output_audio_tokens,
        {{ try_cast('num_model_requests', 'bigint') }} as model_requests,
        source_file,
        cast(source_line as bigint) as source_line,
        loaded_at
    from source

),

final as (

    select
        {{ billing_row_id('openai_usage_completions', ['bucket_index', 'result_index']) }} as openai_usage_line_id,
        organization_id,
        project_id,
        user_id,
        api_key_id,
        model,
        service_tier,
        is_batch,
        bucket_index,
        result_index,
        usage_period_start,
        usage_period_end,
        (usage_period_start <> {{ dbt.date_trunc('day', 'usage_period_start') }}) as is_partial_bucket,
        input_tokens,
        input_cached_tokens,
        input_tokens - input_cached_tokens as input_uncached_tokens,
        output_tokens,
        input_audio_tokens,
        output_audio_tokens,
        model_requests,
        {{ billing_problems([
            billing_cast_problem('start_time_raw', 'usage_period_start', 'start_time is not epoch seconds'),
            billing_cast_problem('input_tokens_raw', 'input_tokens', 'input_tokens is not an integer'),
            billing_cast_problem('input_cached_tokens_raw', 'input_cached_tokens', 'input_cached_tokens is not an integer'),
            billing_cast_problem('output_tokens_raw', 'output_tokens', 'output_tokens is not an integer'),
            "case when input_cached_tokens > input_tokens then 'input_cached_tokens exceeds input_tokens' end",
        ]) }} as parse_problem,
        source_file,
        source_line,
        loaded_at
    from parsed

)

select * from final
