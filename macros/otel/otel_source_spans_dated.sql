{#- The raw span rows of a window with their trace_date, read from stg_otel__trace_dates (the UTC date of the
    earliest valid start among the trace's spans, so a trace never straddles two partitions and inheritance, retries
    and duplicates stay within one). A span without a trace id is dated by its load time. Used by the two staging
    models that read the raw span table, so both agree on every span's partition.
    A row whose trace id stg_otel__trace_dates does not hold yet (loaded after it was built, during this run) waits
    for the next run: it is not dated by a guess. -#}
{% macro otel_source_spans_dated(window) -%}
    {{ return(adapter.dispatch('otel_source_spans_dated', 'ai_finops')(window)) }}
{%- endmacro %}


{#- One scan of the raw table, left-joined to the trace dates: a second branch for the rows without a trace id (a
    union all) read the whole raw table again, 1 to 2 s per model in a daily run at 10M spans; a pre-filter on the
    raw start time saved nothing. -#}
{% macro default__otel_source_spans_dated(window) -%}
    select
        raw_spans.*,
        {{ otel_source_span_date('raw_spans', 'trace_dates') }} as trace_date
    from {{ source('otel', 'otel_spans') }} as raw_spans
    left outer join {{ ref('stg_otel__trace_dates') }} as trace_dates
        on {{ otel_normalized_id('raw_spans.trace_id') }} = trace_dates.trace_key
    where {{ otel_source_span_in_window('raw_spans', 'trace_dates', window) }}
{%- endmacro %}


{#- DuckDB, incremental window over a raw table (not a view): the window's rows are found first from the two columns
    that date them (trace_id, loaded_at), then the raw table is read again joined on rowid. DuckDB pushes that join's
    row ids into the second scan as a filter, so only the row groups holding window rows are read and decompressed;
    the single scan above reads every column of every row before the join keeps the window (at 10M spans a daily
    window is about a tenth of the rows). Same rows and values as the default (tests/python/test_incremental.py). -#}
{% macro duckdb__otel_source_spans_dated(window) -%}
    {%- set raw_relation = source('otel', 'otel_spans') -%}
    {%- set by_rowid = window.start is not none and execute -%}
    {%- if by_rowid -%}
        {%- set stored = adapter.get_relation(
            database=raw_relation.database, schema=raw_relation.schema, identifier=raw_relation.identifier
        ) -%}
        {%- set by_rowid = stored is not none and stored.is_table -%}
    {%- endif -%}
    {%- if not by_rowid -%}
        {{ return(default__otel_source_spans_dated(window)) }}
    {%- endif -%}
    select
        raw_spans.*,
        window_rows.trace_date
    from {{ raw_relation }} as raw_spans
    inner join (
        select
            raw_dates.rowid as raw_rowid,
            {{ otel_source_span_date('raw_dates', 'trace_dates') }} as trace_date
        from {{ raw_relation }} as raw_dates
        left outer join {{ ref('stg_otel__trace_dates') }} as trace_dates
            on {{ otel_normalized_id('raw_dates.trace_id') }} = trace_dates.trace_key
        where {{ otel_source_span_in_window('raw_dates', 'trace_dates', window) }}
    ) as window_rows
        on raw_spans.rowid = window_rows.raw_rowid
{%- endmacro %}


{#- A raw span's partition: its trace's date, or its load date when it has no trace id. -#}
{% macro otel_source_span_date(raw_alias, trace_dates_alias) -%}
    coalesce({{ trace_dates_alias }}.trace_date, cast({{ raw_alias }}.loaded_at as date))
{%- endmacro %}


{#- Keeps a raw span whose trace date (or, without a trace id, load date) falls in the window; a span whose trace id
    is not in stg_otel__trace_dates yet is left for the next run. -#}
{% macro otel_source_span_in_window(raw_alias, trace_dates_alias, window) -%}
    (
        {{ trace_dates_alias }}.trace_key is not null
        and {{ incremental_window_filter(trace_dates_alias ~ '.trace_date', window) }}
    )
    or (
        {{ otel_normalized_id(raw_alias ~ '.trace_id') }} is null
        and {{ incremental_window_filter('cast(' ~ raw_alias ~ '.loaded_at as date)', window) }}
    )
{%- endmacro %}
