{#- Conservation of the trace dates: stg_otel__trace_dates counts every raw row with a trace id exactly once, so every
    such row is dated, and by one trace. Its rows are merged run by run from the rows loaded since the latest load it
    had seen; a load it missed (rows older than that load time), a trace counted twice or a row counted in two runs
    makes the totals differ. Returns one row with both totals when they differ. -#}

with

raw_spans as (

    select cast(count(*) as bigint) as span_rows
    from {{ source('otel', 'otel_spans') }}
    where {{ otel_normalized_id('trace_id') }} is not null

),

trace_dates as (

    select
        cast(coalesce(sum(span_row_count), 0) as bigint) as span_rows,
        cast(count(*) as bigint) as traces
    from {{ ref('stg_otel__trace_dates') }}

)

select
    raw_spans.span_rows as raw_span_rows,
    trace_dates.span_rows as dated_span_rows,
    trace_dates.traces
from raw_spans
cross join trace_dates
where raw_spans.span_rows <> trace_dates.span_rows
