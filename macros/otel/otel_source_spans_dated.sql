{#- The raw span rows of a window with their trace_date, read from stg_otel__trace_dates (the UTC date of the
    earliest valid start among the trace's spans, so a trace never straddles two partitions and inheritance, retries
    and duplicates stay within one). A span without a trace id is dated by its load time. Used by the two staging
    models that read the raw span table, so both agree on every span's partition.
    A row whose trace id stg_otel__trace_dates does not hold yet (loaded after it was built, during this run) waits
    for the next run: it is not dated by a guess.
    One scan of the raw table, left-joined to the trace dates: a second branch for the rows without a trace id (a
    union all) read the whole raw table again, 1 to 2 s per model in a daily run at 10M spans; a pre-filter on the
    raw start time saved nothing. -#}
{% macro otel_source_spans_dated(window) -%}
    {%- set trace_key = otel_normalized_id('raw_spans.trace_id') -%}
    select
        raw_spans.*,
        coalesce(trace_dates.trace_date, cast(raw_spans.loaded_at as date)) as trace_date
    from {{ source('otel', 'otel_spans') }} as raw_spans
    left outer join {{ ref('stg_otel__trace_dates') }} as trace_dates
        on {{ trace_key }} = trace_dates.trace_key
    where
        (
            trace_dates.trace_key is not null
            and {{ incremental_window_filter('trace_dates.trace_date', window) }}
        )
        or (
            {{ trace_key }} is null
            and {{ incremental_window_filter('cast(raw_spans.loaded_at as date)', window) }}
        )
{%- endmacro %}

