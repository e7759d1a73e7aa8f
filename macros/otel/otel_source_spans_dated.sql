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
    {%- if window.start is none or not execute
        or not otel_source_is_native_duckdb_table(raw_relation) -%}
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


{#- True when the relation is a table of a DuckDB database file (not a view, not a table of an attached PostgreSQL,
    MySQL or SQLite catalog, whose row ids mean something else) without a column of its own named rowid, which would
    hide the built-in row id. Names compared as DuckDB resolves them, ignoring case. -#}
{% macro otel_source_is_native_duckdb_table(relation) -%}
    {%- set database_condition = "lower(tables.database_name) = lower('" ~ relation.database ~ "')"
        if relation.database else '1 = 1' -%}
    {%- set found = run_query(
        "select count(*) from duckdb_tables() as tables"
        ~ " inner join duckdb_databases() as databases on tables.database_oid = databases.database_oid"
        ~ " where databases.type = 'duckdb' and " ~ database_condition
        ~ " and lower(tables.schema_name) = lower('" ~ relation.schema ~ "')"
        ~ " and lower(tables.table_name) = lower('" ~ relation.identifier ~ "')"
        ~ " and not exists (select 1 from duckdb_columns() as own_columns"
        ~ " where own_columns.table_oid = tables.table_oid and lower(own_columns.column_name) = 'rowid')"
    ).columns[0].values()[0] -%}
    {{ return(found == 1) }}
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
