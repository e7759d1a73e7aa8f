{#- The raw span rows with their trace_date: the UTC date of the earliest valid start among the trace's spans (a
    trace never straddles two partitions, so inheritance, retries and duplicates stay within one partition). A span
    without a trace id, or a trace without any valid start, is dated by its load time. Used by the two staging models
    that read the raw span table, so both agree on every span's partition. -#}
{% macro otel_source_spans_with_trace_date() -%}
    {%- set start_nanos = try_cast('keyed.start_time_unix_nano', 'decimal(20, 0)') -%}
    select
        keyed.*,
        coalesce(trace_dates.trace_date, cast(keyed.loaded_at as date)) as trace_date
    from {{ source('otel', 'otel_spans') }} as keyed
    left outer join (
        select
            nullif(lower(trim(dated.trace_id)), '') as trace_key,
            cast(coalesce(min(dated.valid_started_at), min(dated.loaded_at)) as date) as trace_date
        from (
            select
                keyed.trace_id,
                keyed.loaded_at,
                case
                    when {{ start_nanos }} > 0 and {{ start_nanos }} < 9000000000000000000
                        then {{ unix_nanos_to_timestamp(start_nanos) }}
                end as valid_started_at
            from {{ source('otel', 'otel_spans') }} as keyed
        ) as dated
        group by nullif(lower(trim(dated.trace_id)), '')
    ) as trace_dates
        on nullif(lower(trim(keyed.trace_id)), '') = trace_dates.trace_key
{%- endmacro %}
