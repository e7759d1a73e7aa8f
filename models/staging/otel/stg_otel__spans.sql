{{ config(**incremental_by_date('trace_date')) }}

{#- Incremental (docs/incremental.md): rebuilds the trace dates from the window start, which also reaches back to
    the dates of the traces that received spans since the last run, before and after the new spans moved them
    (stg_otel__trace_dates), and to the load dates of new spans without a trace id. -#}
{%- set trace_dates = ref('stg_otel__trace_dates') -%}
{%- set never = incremental_timestamp_literal('1970-01-01 00:00:00') -%}
{%- set keyed_new_traces = trace_dates ~ ' as new_traces where new_traces.last_loaded_at >'
    ~ ' (select coalesce(max(loaded_at), ' ~ never ~ ') from ' ~ this ~ ' where trace_id is not null)' -%}
{%- set window = incremental_window(
    'trace_date',
    new_data_sql='select min(new_data.trace_date) from ('
        ~ ' select new_traces.trace_date from ' ~ keyed_new_traces
        ~ ' union all select built.trace_date from ' ~ this ~ ' as built where built.trace_id in'
        ~ ' (select new_traces.trace_key from ' ~ keyed_new_traces ~ ')'
        ~ ' union all select cast(raw_spans.loaded_at as date) from ' ~ source('otel', 'otel_spans') ~ ' as raw_spans'
        ~ ' where ' ~ otel_normalized_id('raw_spans.trace_id') ~ ' is null'
        ~ ' and raw_spans.loaded_at > (select coalesce(max(loaded_at), ' ~ never ~ ') from ' ~ this
        ~ ' where trace_id is null)'
        ~ ') as new_data',
    ignore_parents=['stg_otel__trace_dates']
) -%}
{#- DuckDB: each span's seeded attributes as two ranked lists (macro otel_attribute_lists_select), unnested by
    stg_otel__span_attributes and read in place by int_otel_spans_typed. Other engines explode the JSON in
    stg_otel__span_attributes instead. -#}
{%- set attribute_plan = otel_attribute_entry_plan() %}
-- depends_on: {{ ref('otel_attribute_keys') }}

with

source_spans as (

    {{ otel_source_spans_dated(window) }}

),
{%- if attribute_plan is not none %}

listed_spans as (

    {{ otel_attribute_lists_select('source_spans', attribute_plan) }}

),
{%- endif %}

span_kinds as (

    select * from {{ ref('otel_span_kinds') }}

),

status_codes as (

    select * from {{ ref('otel_status_codes') }}

),

typed as (

    select
        {{ otel_span_occurrence_id('source_spans') }} as span_occurrence_id,
        {{ otel_normalized_id('source_spans.trace_id') }} as trace_id,
        {{ otel_normalized_id('source_spans.span_id') }} as span_id,
        {{ otel_normalized_id('source_spans.parent_span_id') }} as parent_span_id,
        source_spans.trace_state,
        source_spans.span_name,
        source_spans.span_kind as span_kind_raw,
        nullif(lower(trim(source_spans.status_code)), '') as status_code_raw,
        source_spans.status_message,
        source_spans.scope_name,
        source_spans.scope_version,
        {{ try_cast('source_spans.start_time_unix_nano', 'decimal(20, 0)') }} as start_time_unix_nano,
        {{ try_cast('source_spans.end_time_unix_nano', 'decimal(20, 0)') }} as end_time_unix_nano,
        coalesce({{ json_is_object('source_spans.span_attributes') }}, false)
        or nullif(trim(source_spans.span_attributes), '') is null as has_valid_span_attributes,
        coalesce({{ json_is_object('source_spans.resource_attributes') }}, false)
        or nullif(trim(source_spans.resource_attributes), '') is null as has_valid_resource_attributes,
        source_spans.source_file,
        source_spans.source_line,
        source_spans.span_index,
        source_spans.loaded_at,
        {%- if attribute_plan is not none %}
            source_spans.attribute_entry_numbers,
            source_spans.attribute_entry_values,
        {%- endif %}
        source_spans.trace_date
    from {{ 'listed_spans' if attribute_plan is not none else 'source_spans' }} as source_spans

),

normalized as (

    select
        typed.*,
        span_kinds.span_kind,
        case
            when typed.status_code_raw is null then 'unset'
            else status_codes.status
        end as status,
        case
            when typed.start_time_unix_nano > 0 then {{ unix_nanos_to_timestamp('typed.start_time_unix_nano') }}
        end as started_at,
        case
            when typed.end_time_unix_nano > 0 then {{ unix_nanos_to_timestamp('typed.end_time_unix_nano') }}
        end as ended_at,
        cast((typed.end_time_unix_nano - typed.start_time_unix_nano) / 1000000.0 as {{ type_double() }})
            as latency_ms,
        row_number() over (
            partition by typed.trace_id, typed.span_id
            order by typed.loaded_at, typed.source_file, typed.source_line, typed.span_index
        ) as occurrence_number
    from typed
    left outer join span_kinds
        on lower(trim(typed.span_kind_raw)) = span_kinds.raw_span_kind
    left outer join status_codes
        on typed.status_code_raw = status_codes.raw_status_code

),

final as (

    select
        span_occurrence_id,
        trace_id,
        span_id,
        parent_span_id,
        trace_state,
        span_name,
        span_kind_raw,
        span_kind,
        status_code_raw,
        status,
        status_message,
        scope_name,
        scope_version,
        start_time_unix_nano,
        end_time_unix_nano,
        started_at,
        ended_at,
        latency_ms,
        occurrence_number,
        trace_id is not null and span_id is not null and occurrence_number > 1 as is_redelivery,
        case
            when trace_id is null then 'missing_trace_id'
            when span_id is null then 'missing_span_id'
            when
                start_time_unix_nano is null or start_time_unix_nano <= 0
                or end_time_unix_nano is null or end_time_unix_nano < start_time_unix_nano then 'bad_timestamp'
            when not has_valid_span_attributes or not has_valid_resource_attributes then 'bad_attributes_json'
            when status is null then 'bad_status_code'
        end as parse_problem,
        source_file,
        source_line,
        span_index,
        loaded_at,
        trace_date,
        {%- if attribute_plan is not none %}
            attribute_entry_numbers,
            attribute_entry_values,
        {%- endif %}
        {{ incremental_metadata_columns(window) }}
    from normalized

)

select * from final
{{ incremental_cluster_order('trace_date', window) }}
