{#- Data tests of an incremental model check the rows its latest build wrote (docs/incremental.md, "What the tests
    check"): every row of a build carries that build's processed_at, so `processed_at = max(processed_at)` is the
    whole table after a full refresh and the rebuilt window after an incremental run. Rows outside the window were
    checked by the build that wrote them and have not changed since. Set var incremental_test_scope: all to check
    every row (a periodic full check without a full refresh). Non-incremental models are always checked in full. -#}

{#- The condition restricting `relation` to its latest build, or '' when it is not one of this project's
    incremental models (or the var asks for every row). -#}
{% macro incremental_latest_build_condition(relation) -%}
    {%- set scope = var('incremental_test_scope', 'latest_build') -%}
    {%- if scope not in ('latest_build', 'all') -%}
        {{ exceptions.raise_compiler_error("var incremental_test_scope must be 'latest_build' or 'all', got " ~ scope) }}
    {%- endif -%}
    {%- if scope == 'all' or not execute or relation is string or relation.identifier is none -%}
        {{ return('') }}
    {%- endif -%}
    {%- for node in graph.nodes.values()
        if node.resource_type == 'model' and node.package_name == project_name
        and node.config.materialized == 'incremental'
        and node.alias | lower == relation.identifier | lower
        and (node.schema | lower) == ((relation.schema or '') | lower) -%}
        {#- DuckDB: the latest build's processed_at as a literal, read when the test compiles (right before it runs), so
            the filter is pushed into the scan and skips the row groups of older builds by their min/max; a scalar
            subquery is applied after a scan of every row. Other engines scan every row either way. -#}
        {%- if target.type == 'duckdb' -%}
            {%- set latest = run_query('select max(processed_at) from ' ~ relation).columns[0].values()[0] -%}
            {%- if latest is none -%}
                {{ return('1 = 0') }}
            {%- endif -%}
            {%- set latest_text = latest if latest is string else latest.strftime('%Y-%m-%d %H:%M:%S.%f') -%}
            {{ return('processed_at = ' ~ incremental_timestamp_literal(latest_text)) }}
        {%- endif -%}
        {{ return('processed_at = (select max(latest_build.processed_at) from ' ~ relation ~ ' as latest_build)') }}
    {%- endfor -%}
    {{ return('') }}
{%- endmacro %}


{#- Overrides dbt's get_where_subquery (the relation a generic test reads): the test's own `where` config as dbt
    applies it, and the latest-build condition above for incremental models. -#}
{% macro get_where_subquery(relation) -%}
    {%- set conditions = [] -%}
    {%- set where = config.get('where', '') -%}
    {%- if where -%}
        {%- do conditions.append('(' ~ where ~ ')') -%}
    {%- endif -%}
    {%- set latest_build = incremental_latest_build_condition(relation) -%}
    {%- if latest_build -%}
        {%- do conditions.append(latest_build) -%}
    {%- endif -%}
    {%- if conditions -%}
        {%- do return('(select * from ' ~ relation ~ ' where ' ~ conditions | join(' and ') ~ ') dbt_subquery') -%}
    {%- endif -%}
    {%- do return(relation) -%}
{%- endmacro %}


{#- Conservation tests compare totals per trace date, and an incremental run changes only the trace dates its window
    covers: every partition before the earliest date any compared model rebuilt holds the rows an earlier run wrote
    and checked. The predicate restricting `column` (a trace_date) to the dates from that earliest rebuilt date on,
    over the incremental models `relations`; '1 = 1' (every row) when var incremental_test_scope is `all`. After a
    full refresh that is every row. -#}
{% macro incremental_window_condition(column, relations) -%}
    {%- if var('incremental_test_scope', 'latest_build') == 'all' or not execute -%}
        {{ return('1 = 1') }}
    {%- endif -%}
    {%- set windows = [] -%}
    {%- for relation in relations -%}
        {%- set latest_build = incremental_latest_build_condition(relation) -%}
        {%- if not latest_build -%}
            {{ exceptions.raise_compiler_error(relation ~ " is not an incremental model of this project: the "
                ~ "conservation window is defined by incremental models only") }}
        {%- endif -%}
        {%- do windows.append('select min(trace_date) as window_start from ' ~ relation ~ ' where ' ~ latest_build) -%}
    {%- endfor -%}
    {{ return(column ~ ' >= (select min(window_start) from (' ~ windows | join(' union all ') ~ ') as rebuilt_windows)') }}
{%- endmacro %}
