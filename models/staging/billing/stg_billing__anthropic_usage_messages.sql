with

source as (

    select * from {{ source('billing', 'billing_anthropic_usage_messages') }}

),

parsed as (

    select
        organization_id,
        coalesce(nullif(trim(workspace_id), ''), 'default') as workspace_id,
        api_key_id,
        model,
        service_tier,
        context_window,
        inference_geo,
        {{ try_cast('bucket_index', 'integer') }} as bucket_index,
        {{ try_cast('result_index', 'integer') }} as result_index,
        starting_at as starting_at_raw,
        {{ billing_parse_timestamp('starting_at') }} as usage_period_start,
        {{ billing_parse_timestamp('ending_at') }} as usage_period_end,
        uncached_input_tokens as uncached_input_tokens_raw,
        output_tokens as output_tokens_raw,
        {{ try_cast('uncached_input_tokens', 'bigint') }} as input_uncached_tokens,
        {{ try_cast('cache_read_input_tokens', 'bigint') }} as cache_read_tokens,
        {{ try_cast('cache_creation_ephemeral_5m_input_tokens', 'bigint') }} as cache_write_5m_tokens,
        {{ try_cast('cache_creation_ephemeral_1h_input_tokens', 'bigint') }} as cache_write_1h_tokens,
        {{ try_cast('output_tokens', 'bigint') }} as output_tokens,
        {{ try_cast('server_tool_use_web_search_requests', 'bigint') }} as web_search_requests,
        source_file,
        cast(source_line as bigint) as source_line,
        loaded_at
    from source

),

final as (

    select
        {{ billing_row_id('anthropic_usage_messages', ['bucket_index', 'result_index']) }} as anthropic_usage_line_id,
        organization_id,
        workspace_id,
        api_key_id,
        model,
        service_tier,
        context_window,
        inference_geo,
        bucket_index,
        result_index,
        usage_period_start,
        usage_period_end,
        input_uncached_tokens,
        cache_read_tokens,
        cache_write_5m_tokens,
        cache_write_1h_tokens,
        output_tokens,
        web_search_requests,
        {{ billing_problems([
            billing_cast_problem('starting_at_raw', 'usage_period_start', 'starting_at is not an RFC 3339 timestamp'),
            billing_cast_problem('uncached_input_tokens_raw', 'input_uncached_tokens', 'uncached_input_tokens is not an integer'),
            billing_cast_problem('output_tokens_raw', 'output_tokens', 'output_tokens is not an integer'),
        ]) }} as parse_problem,
        source_file,
        source_line,
        loaded_at
    from parsed

)

select * from final
