{#- Incremental builds by date partition (docs/incremental.md).

    A large model is `incremental` and partitioned by a date column (trace_date for span- and call-grain models:
    the UTC date the trace started, so a trace never straddles partitions). Each run rebuilds the partitions from a
    window start to the end and replaces them in the table; the window start is the earliest of:
      - the latest partition already built minus var incremental_lookback_days (late-arriving spans);
      - the earliest partition an incremental parent rewrote since this model's last run (processed_at is newer);
      - the earliest partition of new raw data (new_data_sql: the root model reads raw rows loaded since its last run);
      - every partition, when the fingerprint of the model's other inputs (seeds such as the rate card, reference
        tables, the model's own SQL) differs from the one stored on the rows: an edited price reprices history;
      - var incremental_reprocess_from, when set (a date: rebuild from there).
    A full build (first run, --full-refresh) has no window. -#}

{#- The materialization config, chosen per engine in this one place. DuckDB and PostgreSQL: delete+insert keyed on
    the partition column (the partitions present in the new batch are deleted, then the batch is inserted); Spark:
    insert_overwrite of the same partitions, parquet files (merge needs Delta or Iceberg). -#}
{% macro incremental_by_date(partition_column) -%}
    {%- set settings = {
        'materialized': 'incremental',
        'on_schema_change': 'append_new_columns',
    } -%}
    {%- if target.type == 'spark' -%}
        {%- do settings.update({
            'incremental_strategy': 'insert_overwrite',
            'partition_by': [partition_column],
            'file_format': 'parquet',
        }) -%}
    {%- else -%}
        {%- do settings.update({'incremental_strategy': 'delete+insert', 'unique_key': partition_column}) -%}
    {%- endif -%}
    {{ return(settings) }}
{%- endmacro %}


{#- The config of an incremental model keyed by one column (one row per key, such as stg_otel__trace_dates): each run
    replaces the rows of the keys in its batch. DuckDB and PostgreSQL: delete+insert on the key. Spark: a table rebuilt
    whole each run (insert_overwrite replaces partitions, not keys, and merge needs Delta or Iceberg). -#}
{% macro incremental_by_key(key_column) -%}
    {%- if target.type == 'spark' -%}
        {{ return({'materialized': 'table', 'file_format': 'parquet'}) }}
    {%- endif -%}
    {{ return({
        'materialized': 'incremental',
        'incremental_strategy': 'delete+insert',
        'unique_key': key_column,
        'on_schema_change': 'append_new_columns',
    }) }}
{%- endmacro %}


{#- Returns {'start': 'YYYY-MM-DD' or none (none = rebuild everything), 'fingerprint': text}.
    upstream_column: the parents' column that maps to this model's partition column (default: the same name).
    ignore_parents: names of models this model selects from that neither widen the window nor enter the fingerprint
    (their changes reach the window through new_data_sql instead). -#}
{% macro incremental_window(partition_column, upstream_column=none, new_data_sql=none, ignore_parents=[]) -%}
    {%- set fingerprint = incremental_inputs_fingerprint(ignore_parents) -%}
    {#- Unit tests render models without a relation for `this`: they test the full-build logic. -#}
    {%- if not execute or this is none or not is_incremental() -%}
        {{ return({'start': none, 'fingerprint': fingerprint}) }}
    {%- endif -%}

    {%- set state = run_query(
        'select max(' ~ partition_column ~ ') as max_partition, max(processed_at) as max_processed_at from ' ~ this
    ) -%}
    {%- set max_partition = state.columns[0].values()[0] -%}
    {%- set max_processed_at = state.columns[1].values()[0] -%}
    {%- if max_partition is none or max_processed_at is none -%}
        {{ return({'start': none, 'fingerprint': fingerprint}) }}
    {%- endif -%}
    {%- set max_processed_text = max_processed_at.strftime('%Y-%m-%d %H:%M:%S.%f')
        if max_processed_at is not string else max_processed_at -%}

    {%- set lookback = var('incremental_lookback_days') | int -%}
    {%- set candidates = [
        (incremental_as_date(max_partition) - modules.datetime.timedelta(days=lookback)).strftime('%Y-%m-%d')
    ] -%}

    {#- Inputs changed (rate card, mapping seeds, reference tables, this model's SQL): the stale partitions. -#}
    {%- do candidates.append(incremental_query_date(
        'select min(' ~ partition_column ~ ') from ' ~ this ~ " where inputs_fingerprint <> '" ~ fingerprint
        ~ "' or inputs_fingerprint is null"
    )) -%}

    {#- Partitions an incremental parent rebuilt after this model's last run. -#}
    {%- for parent in incremental_parents(ignore_parents) -%}
        {%- do candidates.append(incremental_query_date(
            'select min(' ~ (upstream_column or partition_column) ~ ') from ' ~ parent
            ~ ' where processed_at > ' ~ incremental_timestamp_literal(max_processed_text)
        )) -%}
    {%- endfor -%}

    {%- if new_data_sql is not none -%}
        {%- do candidates.append(incremental_query_date(new_data_sql)) -%}
    {%- endif -%}

    {%- set reprocess_from = var('incremental_reprocess_from', none) -%}
    {%- if reprocess_from -%}
        {%- do candidates.append(incremental_as_date(reprocess_from | string).strftime('%Y-%m-%d')) -%}
    {%- endif -%}

    {%- set start = candidates | reject('none') | min -%}
    {%- do log('incremental window of ' ~ this ~ ': ' ~ partition_column ~ ' >= ' ~ start, info=false) -%}
    {{ return({'start': start, 'fingerprint': fingerprint}) }}
{%- endmacro %}


{#- The predicate that keeps the window's rows (true on a full build). -#}
{% macro incremental_window_filter(column, window) -%}
    {%- if window.start is none -%}
        1 = 1
    {%- else -%}
        {{ column }} >= cast('{{ window.start }}' as date)
    {%- endif -%}
{%- endmacro %}


{#- The bookkeeping columns every incremental model stores: when the row was built and from which inputs. -#}
{% macro incremental_metadata_columns(window) -%}
    {{ incremental_timestamp_literal(run_started_at.strftime('%Y-%m-%d %H:%M:%S.%f')) }} as processed_at,
    cast('{{ window.fingerprint }}' as {{ dbt.type_string() }}) as inputs_fingerprint
{%- endmacro %}


{% macro incremental_timestamp_literal(text) -%}
    cast('{{ text }}' as {{ dbt.type_timestamp() }})
{%- endmacro %}


{#- The incremental models this model selects from (their processed_at tells which partitions they rebuilt). -#}
{% macro incremental_parents(ignore_parents=[]) -%}
    {%- set parents = [] -%}
    {%- if execute and model.unique_id in graph.nodes -%}
        {%- for unique_id in graph.nodes[model.unique_id].depends_on.nodes | sort -%}
            {%- set node = graph.nodes.get(unique_id) -%}
            {%- if node and node.resource_type == 'model' and node.config.materialized == 'incremental'
                and node.name not in ignore_parents -%}
                {%- do parents.append(ref(node.name)) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return(parents) }}
{%- endmacro %}


{#- A digest of everything besides incremental parents that the model's rows depend on: the content of every seed
    and non-incremental model it selects from (rate cards, mapping seeds, app tables) and the model's own file. -#}
{% macro incremental_inputs_fingerprint(ignore_parents=[]) -%}
    {%- if not execute or model.resource_type == 'unit_test' or model.unique_id not in graph.nodes -%}
        {{ return('not-executed') }}
    {%- endif -%}
    {%- set node = graph.nodes[model.unique_id] -%}
    {%- set parts = [node.checksum.checksum] -%}
    {%- for unique_id in node.depends_on.nodes | sort -%}
        {%- set parent = graph.nodes.get(unique_id) -%}
        {%- if parent and parent.resource_type in ('model', 'seed', 'snapshot')
            and parent.config.materialized != 'incremental' and parent.name not in ignore_parents -%}
            {%- set relation = ref(parent.name) -%}
            {#- A parent not built yet (dbt compile on an empty warehouse) has no rows to digest. -#}
            {%- set digest = 'not-built' if load_relation(relation) is none
                else run_query(relation_fingerprint_sql(relation)).columns[0].values()[0] -%}
            {%- do parts.append(parent.name ~ '=' ~ digest) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(local_md5(parts | join(';'))) }}
{%- endmacro %}


{#- One query returning a digest of a relation's rows, independent of row order. -#}
{% macro relation_fingerprint_sql(relation) -%}
    {{ return(adapter.dispatch('relation_fingerprint_sql', 'ai_finops')(relation)) }}
{%- endmacro %}

{% macro default__relation_fingerprint_sql(relation) -%}
    select md5(coalesce(string_agg(cast(t as varchar), '|' order by cast(t as varchar)), '')) || ':' || count(*)
    from {{ relation }} as t
{%- endmacro %}

{% macro postgres__relation_fingerprint_sql(relation) -%}
    select md5(coalesce(string_agg(t::text, '|' order by t::text), '')) || ':' || count(*)
    from {{ relation }} as t
{%- endmacro %}

{% macro spark__relation_fingerprint_sql(relation) -%}
    select concat(md5(concat_ws('|', sort_array(collect_list(to_json(struct(t.*)))))), ':', count(*))
    from {{ relation }} as t
{%- endmacro %}


{#- The first value of a one-value query as 'YYYY-MM-DD' (none when NULL). -#}
{% macro incremental_query_date(sql) -%}
    {%- set value = run_query(sql).columns[0].values()[0] -%}
    {%- if value is none -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return(incremental_as_date(value).strftime('%Y-%m-%d')) }}
{%- endmacro %}


{% macro incremental_as_date(value) -%}
    {%- if value is string -%}
        {{ return(modules.datetime.datetime.strptime(value[:10], '%Y-%m-%d').date()) }}
    {%- elif value.date is defined and value.hour is defined -%}
        {{ return(value.date()) }}
    {%- else -%}
        {{ return(value) }}
    {%- endif -%}
{%- endmacro %}


{#- The CTE body that reads an incremental parent: its rows in the window, without the parent's own bookkeeping
    columns (the child stores its own). -#}
{% macro select_incremental_parent(relation, window, column='trace_date') -%}
    select {{ star_except(relation, ['processed_at', 'inputs_fingerprint']) }}
    from {{ relation }}
    where {{ incremental_window_filter(column, window) }}
{%- endmacro %}


{#- The relation's columns except some, as a select list; `*` while parsing. A unit test's fixture for a ref has the
    columns of the real relation, which are listed instead. -#}
{% macro star_except(relation, except_columns) -%}
    {%- if not execute -%}
        {{ return('*') }}
    {%- endif -%}
    {%- set described = relation -%}
    {%- set cte_prefix = '__dbt__cte__' -%}
    {%- if relation.identifier is none or relation.identifier.startswith(cte_prefix) -%}
        {%- set name = (relation.identifier or relation | string).split(cte_prefix)[-1] | replace('"', '') -%}
        {%- set found = {'relation': adapter.get_relation(target.database, target.schema, name)} -%}
        {%- for node in (graph.get('nodes') or {}).values() if node.resource_type == 'model' and node.name == name -%}
            {%- do found.update({'relation': adapter.get_relation(node.database, node.schema, node.alias)}) -%}
        {%- endfor -%}
        {%- set described = found.relation -%}
    {%- endif -%}
    {%- set columns = [] -%}
    {%- if described is not none -%}
        {%- set excluded = except_columns | map('lower') | list -%}
        {%- for column in adapter.get_columns_in_relation(described) -%}
            {%- if column.name | lower not in excluded -%}
                {%- do columns.append(adapter.quote(column.name) if column.name != column.name | lower else column.name) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return(columns | join(', ') if columns else '*') }}
{%- endmacro %}


{#- The ORDER BY that stores a full build's rows in partition order (DuckDB), or nothing. DuckDB keeps min/max per
    row group; rows written in the order a full build's joins, windows and aggregates leave them put every trace date
    in every row group, so a daily run's `partition >= window start` read and its delete touched every row group of
    every large table. Sorted, they touch the row groups of the window only. Incremental runs append their rows in new
    row groups and are not sorted; a run with a wide window (incremental_reprocess_from, a changed rate card) leaves
    those partitions unsorted until the next full refresh, which costs time, not correctness. PostgreSQL (heap
    tables, no min/max pruning without a BRIN index) and Spark (partition directories) do not need it.
    Var incremental_cluster_full_builds: false skips the sort. -#}
{% macro incremental_cluster_order(partition_column, window) -%}
    {%- if target.type == 'duckdb' and window.start is none and var('incremental_cluster_full_builds', true) -%}
        order by {{ partition_column }}
    {%- endif -%}
{%- endmacro %}
