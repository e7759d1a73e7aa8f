-- One row per billable call that could not be priced, with the reason (never dropped, never priced at zero).
with

int_llm_calls_priced as (

    select * from {{ ref('int_llm_calls_priced') }}

),

final as (

    select
        call_id,
        trace_id,
        span_id,
        called_at,
        call_date,
        provider,
        pricing_model,
        model_id,
        alias_id,
        service_tier,
        usage_status,
        input_total_tokens,
        output_tokens,
        unpriced_reason,
        usage_warning,
        -- At standard rates when the reason is tier_fallback (the only reason with cost lines); else NULL.
        cast(case when unpriced_reason = 'tier_fallback' then computed_list_cost_usd end as decimal(38, 12))
            as estimated_list_cost_usd,
        feature_id,
        customer_id,
        environment
    from int_llm_calls_priced
    where pricing_status = 'unpriced'

)

select * from final
