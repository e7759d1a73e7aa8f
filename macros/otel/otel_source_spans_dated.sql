{#- The raw span rows of a window with their trace_date, read from stg_otel__trace_dates (the UTC date of the
    earliest valid start among the trace's spans, so a trace never straddles two partitions and inheritance, retries
    and duplicates stay within one). A span without a trace id is dated by its load time. Used by the two staging
    models that read the raw span table, so both agree on every span's partition.
    A row whose trace id stg_otel__trace_dates does not hold yet (loaded after it was built, during this run) waits
    for the next run: it is not dated by a guess.
    In an incremental window only the traces dated from the window start are read, and a raw row whose own valid
    start lies before the window start is skipped before the join: its trace is dated that day or earlier. -#}
{% macro otel_source_spans_dated(window) -%}
    {%- set start_nanos = try_cast('raw_spans.start_time_unix_nano', 'decimal(20, 0)') -%}
    {%- set trace_key = otel_normalized_id('raw_spans.trace_id') -%}
    select
        raw_spans.*,
        trace_dates.trace_date
    from {{ source('otel', 'otel_spans') }} as raw_spans
    inner join {{ ref('stg_otel__trace_dates') }} as trace_dates
        on {{ trace_key }} = trace_dates.trace_key
    where
        {{ incremental_window_filter('trace_dates.trace_date', window) }}
        {%- if window.start is not none %}
            and not coalesce(
                {{ start_nanos }} > 0
                and {{ start_nanos }} < {{ otel_date_unix_nanos(window.start) }}, false
            )
        {%- endif %}

    union all

    select
        raw_spans.*,
        cast(raw_spans.loaded_at as date) as trace_date
    from {{ source('otel', 'otel_spans') }} as raw_spans
    where
        {{ trace_key }} is null
        and {{ incremental_window_filter('cast(raw_spans.loaded_at as date)', window) }}
{%- endmacro %}


{#- Nanoseconds since the Unix epoch at 00:00 UTC of a 'YYYY-MM-DD' date, as a number literal. -#}
{% macro otel_date_unix_nanos(day) -%}
    {%- set midnight = modules.datetime.datetime.strptime(day | string, '%Y-%m-%d') -%}
    {%- set epoch = modules.datetime.datetime(1970, 1, 1) -%}
    {{- ((midnight - epoch).days * 86400) ~ '000000000' -}}
{%- endmacro %}
