{{ config(**incremental_by_key('trace_key')) }}

{#- One row per trace id of the raw span table: its trace_date (the UTC date of the earliest valid start among its
    spans; the earliest load date when none has a valid start) and what that date is made of. The two staging models
    date their rows by it, so a daily run reads the raw spans of the traces in its window instead of regrouping the
    whole raw table twice to date every trace (docs/incremental.md).
    Incremental (DuckDB, PostgreSQL): a run reads the raw rows loaded since the latest load it has seen and merges them
    into the rows of their traces (earliest start and load, latest load, row count); the merge is a min/max/sum, so
    the result equals a regroup of the whole table. A changed model file or var incremental_reprocess_from regroups
    every raw row. On Spark it is a table rebuilt whole each run (incremental_by_key). -#}
{%- set start_nanos = try_cast('raw_spans.start_time_unix_nano', 'decimal(20, 0)') -%}
{%- set fingerprint = incremental_inputs_fingerprint() -%}
{%- set merge_new_rows = is_incremental() and not var('incremental_reprocess_from', none) -%}
{%- if merge_new_rows and execute -%}
    {%- set stale = run_query(
        'select count(*) from ' ~ this ~ " where inputs_fingerprint <> '" ~ fingerprint
        ~ "' or inputs_fingerprint is null"
    ).columns[0].values()[0] -%}
    {%- set merge_new_rows = stale == 0 -%}
{%- endif %}

with

new_spans as (

    select
        {{ otel_normalized_id('raw_spans.trace_id') }} as trace_key,
        case
            when {{ start_nanos }} > 0 and {{ start_nanos }} < 9000000000000000000
                then {{ unix_nanos_to_timestamp(start_nanos) }}
        end as valid_started_at,
        raw_spans.loaded_at
    from {{ source('otel', 'otel_spans') }} as raw_spans
    where {{ otel_normalized_id('raw_spans.trace_id') }} is not null
    {%- if merge_new_rows %}
        and raw_spans.loaded_at > (select max(seen.last_loaded_at) from {{ this }} as seen)
    {%- endif %}

),

new_traces as (

    select
        trace_key,
        min(valid_started_at) as first_valid_started_at,
        min(loaded_at) as first_loaded_at,
        max(loaded_at) as last_loaded_at,
        count(*) as span_row_count
    from new_spans
    group by trace_key

),

{%- if merge_new_rows %}

    {# The stored rows of the traces that received spans, merged with what the new spans add. #}
    merged as (

        select
            trace_key,
            min(first_valid_started_at) as first_valid_started_at,
            min(first_loaded_at) as first_loaded_at,
            max(last_loaded_at) as last_loaded_at,
            cast(sum(span_row_count) as bigint) as span_row_count
        from (
            select * from new_traces
            union all
            select
                stored.trace_key,
                stored.first_valid_started_at,
                stored.first_loaded_at,
                stored.last_loaded_at,
                stored.span_row_count
            from {{ this }} as stored
            inner join new_traces
                on stored.trace_key = new_traces.trace_key
        ) as both_sides
        group by trace_key

    ),
{%- else %}

    merged as (

        select * from new_traces

    ),
{%- endif %}

final as (

    select
        trace_key,
        cast(coalesce(first_valid_started_at, first_loaded_at) as date) as trace_date,
        first_valid_started_at,
        first_loaded_at,
        last_loaded_at,
        span_row_count,
        {{ incremental_metadata_columns({'fingerprint': fingerprint}) }}
    from merged

)

select * from final
