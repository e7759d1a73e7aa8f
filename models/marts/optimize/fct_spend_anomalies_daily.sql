{# Daily spend per feature, customer and model against its own trailing baseline (the anomaly_baseline_days days
    before). Every day from the member's first spend to the as-of date has a row (0 without spend), so a fall to
    zero is seen. A day is a spike when spend > mean + anomaly_z_threshold x stddev, a drop when spend < mean -
    anomaly_z_threshold x stddev; either way the jump is at least anomaly_min_jump_usd and anomaly_min_jump_share of
    the mean, and the member has a full baseline. The driver is the largest of the log-ratios of cost = calls x tokens
    per call x cost per token against the baseline; cost per token splits into model mix (tokens moved between models
    priced at their baseline cost per token) and price (the rest); a day without calls is driven by calls. #}
with

cost_daily as (

    select * from {{ ref('fct_llm_cost_daily') }}

),

dates as (

    select * from {{ ref('dim_dates') }}

),

as_of as (

    select {{ optimize_as_of_date(ref('fct_llm_calls')) }} as as_of_date

),

scoped as (

    select cost_daily.*
    from cost_daily
    cross join as_of
    where cost_daily.usage_date <= as_of.as_of_date

),

{# One row per dimension member x day x model. #}
member_model_daily as (

    select
        'feature' as dimension_type,
        feature_id as dimension_value,
        usage_date as spend_date,
        provider,
        model_id,
        sum(calls) as calls,
        sum(total_tokens) as total_tokens,
        sum(net_cost_usd) as cost_usd
    from scoped
    group by feature_id, usage_date, provider, model_id

    union all

    select
        'customer' as dimension_type,
        customer_id as dimension_value,
        usage_date as spend_date,
        provider,
        model_id,
        sum(calls) as calls,
        sum(total_tokens) as total_tokens,
        sum(net_cost_usd) as cost_usd
    from scoped
    group by customer_id, usage_date, provider, model_id

    union all

    select
        'model' as dimension_type,
        {{ dbt.concat(['provider', "'/'", 'model_id']) }} as dimension_value,
        usage_date as spend_date,
        provider,
        model_id,
        sum(calls) as calls,
        sum(total_tokens) as total_tokens,
        sum(net_cost_usd) as cost_usd
    from scoped
    group by provider, model_id, usage_date

),

member_spend_daily as (

    select
        dimension_type,
        dimension_value,
        spend_date,
        sum(calls) as calls,
        sum(total_tokens) as total_tokens,
        sum(cost_usd) as cost_usd
    from member_model_daily
    group by dimension_type, dimension_value, spend_date

),

first_seen as (

    select
        dimension_type,
        dimension_value,
        min(spend_date) as first_spend_date
    from member_spend_daily
    group by dimension_type, dimension_value

),

{# Every day of every member from its first spend to the as-of date; a day without spend has zeros. #}
member_daily as (

    select
        first_seen.dimension_type,
        first_seen.dimension_value,
        dates.date_day as spend_date,
        coalesce(member_spend_daily.calls, 0) as calls,
        coalesce(member_spend_daily.total_tokens, 0) as total_tokens,
        coalesce(member_spend_daily.cost_usd, 0) as cost_usd
    from first_seen
    cross join as_of
    inner join dates
        on
            first_seen.first_spend_date <= dates.date_day
            and as_of.as_of_date >= dates.date_day
    left join member_spend_daily
        on
            first_seen.dimension_type = member_spend_daily.dimension_type
            and first_seen.dimension_value = member_spend_daily.dimension_value
            and dates.date_day = member_spend_daily.spend_date

),

baseline as (

    select
        member_daily.dimension_type,
        member_daily.dimension_value,
        member_daily.spend_date,
        sum(coalesce(history.cost_usd, 0)) as baseline_cost_usd,
        sum(
            coalesce(cast(history.cost_usd as {{ type_double() }}), 0)
            * coalesce(cast(history.cost_usd as {{ type_double() }}), 0)
        ) as baseline_cost_squares,
        sum(coalesce(history.calls, 0)) as baseline_calls,
        sum(coalesce(history.total_tokens, 0)) as baseline_tokens
    from member_daily
    left join member_daily as history
        on
            member_daily.dimension_type = history.dimension_type
            and member_daily.dimension_value = history.dimension_value
            and member_daily.spend_date > history.spend_date
            and history.spend_date >= cast(
                {{ dbt.dateadd('day', -var('anomaly_baseline_days'), 'member_daily.spend_date') }} as date
            )
    group by member_daily.dimension_type, member_daily.dimension_value, member_daily.spend_date

),

{# Baseline cost per token of each model of the member, to reprice the day's tokens at baseline prices. #}
baseline_model as (

    select
        member_model_daily.dimension_type,
        member_model_daily.dimension_value,
        member_model_daily.spend_date,
        member_model_daily.provider,
        member_model_daily.model_id,
        member_model_daily.total_tokens,
        member_model_daily.cost_usd,
        sum(history.cost_usd) / nullif(sum(history.total_tokens), 0) as baseline_cost_per_token
    from member_model_daily
    left join member_model_daily as history
        on
            member_model_daily.dimension_type = history.dimension_type
            and member_model_daily.dimension_value = history.dimension_value
            and member_model_daily.provider = history.provider
            and member_model_daily.model_id = history.model_id
            and member_model_daily.spend_date > history.spend_date
            and history.spend_date >= cast(
                {{ dbt.dateadd('day', -var('anomaly_baseline_days'), 'member_model_daily.spend_date') }} as date
            )
    group by
        member_model_daily.dimension_type,
        member_model_daily.dimension_value,
        member_model_daily.spend_date,
        member_model_daily.provider,
        member_model_daily.model_id,
        member_model_daily.total_tokens,
        member_model_daily.cost_usd

),

repriced as (

    select
        dimension_type,
        dimension_value,
        spend_date,
        sum(coalesce(total_tokens * baseline_cost_per_token, cost_usd)) as cost_at_baseline_prices_usd
    from baseline_model
    group by dimension_type, dimension_value, spend_date

),

statistics as (

    select
        member_daily.*,
        first_seen.first_spend_date,
        coalesce(repriced.cost_at_baseline_prices_usd, 0) as cost_at_baseline_prices_usd,
        baseline.baseline_cost_usd / {{ var('anomaly_baseline_days') }} as baseline_mean_usd,
        cast(baseline.baseline_calls as {{ type_double() }}) / {{ var('anomaly_baseline_days') }}
            as baseline_mean_calls,
        cast(baseline.baseline_tokens as {{ type_double() }}) / nullif(baseline.baseline_calls, 0)
            as baseline_tokens_per_call,
        cast(baseline.baseline_cost_usd as {{ type_double() }}) / nullif(baseline.baseline_tokens, 0)
            as baseline_cost_per_token,
        sqrt(greatest(
            baseline.baseline_cost_squares / {{ var('anomaly_baseline_days') }}
            - power(cast(baseline.baseline_cost_usd as {{ type_double() }}) / {{ var('anomaly_baseline_days') }}, 2),
            0
        )) as baseline_stddev_usd,
        first_seen.first_spend_date <= cast(
            {{ dbt.dateadd('day', -var('anomaly_baseline_days'), 'member_daily.spend_date') }} as date
        ) as has_full_baseline
    from member_daily
    inner join baseline
        on
            member_daily.dimension_type = baseline.dimension_type
            and member_daily.dimension_value = baseline.dimension_value
            and member_daily.spend_date = baseline.spend_date
    left join repriced
        on
            member_daily.dimension_type = repriced.dimension_type
            and member_daily.dimension_value = repriced.dimension_value
            and member_daily.spend_date = repriced.spend_date
    inner join first_seen
        on
            member_daily.dimension_type = first_seen.dimension_type
            and member_daily.dimension_value = first_seen.dimension_value

),

{# Log-ratio of each factor against the baseline (NULL when a side is zero). #}
factors as (

    select
        statistics.*,
        case
            when statistics.calls > 0 and statistics.baseline_mean_calls > 0
                then abs(ln(statistics.calls / statistics.baseline_mean_calls))
        end as calls_effect,
        case
            when statistics.calls > 0 and statistics.total_tokens > 0 and statistics.baseline_tokens_per_call > 0
                then
                    abs(
                        ln(
                            (cast(statistics.total_tokens as {{ type_double() }}) / statistics.calls)
                            / statistics.baseline_tokens_per_call
                        )
                    )
        end as tokens_per_call_effect,
        case
            when
                statistics.total_tokens > 0
                and statistics.cost_at_baseline_prices_usd > 0
                and statistics.baseline_cost_per_token > 0
                then abs(ln(
                    cast(statistics.cost_at_baseline_prices_usd as {{ type_double() }})
                    / statistics.total_tokens
                    / statistics.baseline_cost_per_token
                ))
        end as model_mix_effect,
        case
            when statistics.cost_usd > 0 and statistics.cost_at_baseline_prices_usd > 0
                then abs(ln(cast(statistics.cost_usd as {{ type_double() }}) / statistics.cost_at_baseline_prices_usd))
        end as price_effect
    from statistics

),

flagged as (

    select
        factors.*,
        factors.cost_usd - factors.baseline_mean_usd as jump_usd,
        case
            when not factors.has_full_baseline then null
            when
                factors.cost_usd
                > factors.baseline_mean_usd + {{ var('anomaly_z_threshold') }} * factors.baseline_stddev_usd
                and factors.cost_usd - factors.baseline_mean_usd >= {{ var('anomaly_min_jump_usd') }}
                and factors.cost_usd - factors.baseline_mean_usd
                >= {{ var('anomaly_min_jump_share') }} * factors.baseline_mean_usd
                then 'spike'
            when
                factors.cost_usd
                < factors.baseline_mean_usd - {{ var('anomaly_z_threshold') }} * factors.baseline_stddev_usd
                and factors.baseline_mean_usd - factors.cost_usd >= {{ var('anomaly_min_jump_usd') }}
                and factors.baseline_mean_usd - factors.cost_usd
                >= {{ var('anomaly_min_jump_share') }} * factors.baseline_mean_usd
                then 'drop'
        end as anomaly_direction,
        case
            when factors.calls = 0 then 'calls'
            when
                coalesce(factors.calls_effect, 0) >= coalesce(factors.tokens_per_call_effect, 0)
                and coalesce(factors.calls_effect, 0) >= coalesce(factors.model_mix_effect, 0)
                and coalesce(factors.calls_effect, 0) >= coalesce(factors.price_effect, 0) then 'calls'
            when
                coalesce(factors.tokens_per_call_effect, 0) >= coalesce(factors.model_mix_effect, 0)
                and coalesce(factors.tokens_per_call_effect, 0) >= coalesce(factors.price_effect, 0)
                then 'tokens_per_call'
            when coalesce(factors.model_mix_effect, 0) >= coalesce(factors.price_effect, 0) then 'model_mix'
            else 'price'
        end as main_driver
    from factors

),

final as (

    select
        {{ dbt.hash(dbt.concat([
            'dimension_type', "'|'", 'dimension_value', "'|'", dbt.cast('spend_date', dbt.type_string())
        ])) }} as anomaly_row_id,
        spend_date,
        dimension_type,
        dimension_value,
        cast(calls as {{ dbt.type_bigint() }}) as calls,
        cast(total_tokens as {{ dbt.type_bigint() }}) as total_tokens,
        cast(cost_usd as decimal(38, 12)) as cost_usd,
        has_full_baseline,
        cast(baseline_mean_usd as decimal(38, 12)) as baseline_mean_usd,
        cast(baseline_stddev_usd as {{ type_double() }}) as baseline_stddev_usd,
        cast(baseline_mean_calls as {{ type_double() }}) as baseline_mean_calls,
        cast((cost_usd - baseline_mean_usd) / nullif(baseline_stddev_usd, 0) as {{ type_double() }}) as z_score,
        cast(jump_usd as decimal(38, 12)) as jump_usd,
        cast(jump_usd / nullif(baseline_mean_usd, 0) as {{ type_double() }}) as jump_share_of_baseline,
        cast(calls_effect as {{ type_double() }}) as calls_effect,
        cast(tokens_per_call_effect as {{ type_double() }}) as tokens_per_call_effect,
        cast(model_mix_effect as {{ type_double() }}) as model_mix_effect,
        cast(price_effect as {{ type_double() }}) as price_effect,
        anomaly_direction is not null as is_anomaly,
        anomaly_direction,
        case when anomaly_direction is not null then main_driver end as main_driver
    from flagged

)

select * from final
