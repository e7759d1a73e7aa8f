{#- One row per span the ancestor walk reaches: the first delivery of every well-identified span (trace_id and
    span_id present) at most var otel_max_ancestor_depth levels below a root (a span whose parent was not delivered),
    with its root, its depth, its nearest model-call and wrapper ancestors, and the dimensions it inherits (its own,
    else the nearest ancestor's). A span deeper than the limit or in a parent loop is not reached: it has no row here
    and int_otel_spans_enriched flags it truncated. A recursive CTE on DuckDB and PostgreSQL, one self-join per level
    on Spark; the same rows (the unit tests run on every engine). Its own table: on DuckDB the recursive CTE's result
    stays in memory, and as the build side of the join to the wide typed rows it ran out of memory where the walk on
    its own spills (docs/decisions.md). -#}

{{ config(**incremental_by_date('trace_date')) }}
{%- set window = incremental_window('trace_date') -%}
{%- set max_depth = var('otel_max_ancestor_depth') | int %}

with{{ ' recursive' if target.type != 'spark' }}

{#- The first deliveries of well-identified spans, narrow. Not materialized on DuckDB and PostgreSQL (both would
    otherwise hold every row of a CTE referenced more than once): each reference scans the typed table. #}
walk_base as {{ 'not materialized ' if target.type != 'spark' }}(

    select
        trace_id,
        span_id,
        parent_span_id,
        span_role,
        {%- for dimension in otel_inherited_dimensions() %}
            own_{{ dimension }},
        {%- endfor %}
        trace_date
    from {{ ref('int_otel_spans_typed') }}
    where
        occurrence_number = 1
        and trace_id is not null
        and span_id is not null
        and {{ incremental_window_filter('trace_date', window) }}

),

{%- if target.type == 'spark' %}

    {# Spark: one self-join per level, unrolled (no recursive CTE in dbt-spark's statements). Level n knows the n
        nearest ancestors. Spark inlines a CTE at every reference, so the levels join walk_base itself. #}
    walk_level_0 as (

        select
            trace_id,
            span_id,
            trace_date,
            parent_span_id as cursor_span_id,
            {{ otel_walk_start_columns() }}
        from walk_base

    ),

    {%- for level in range(1, max_depth + 1) %}

        walk_level_{{ level }} as (

            select
                walk.trace_id,
                walk.span_id,
                walk.trace_date,
                ancestor.parent_span_id as cursor_span_id,
                coalesce(ancestor.span_id, walk.root_span_id) as root_span_id,
                walk.ancestor_depth + case when ancestor.span_id is not null then 1 else 0 end as ancestor_depth,
                coalesce(
                    walk.nearest_model_call_ancestor_span_id,
                    case when ancestor.span_role = 'model_call' then ancestor.span_id end
                ) as nearest_model_call_ancestor_span_id,
                {%- for dimension in otel_inherited_dimensions() %}
                    coalesce(walk.inherited_{{ dimension }}, ancestor.own_{{ dimension }}) as inherited_{{ dimension }},
                {%- endfor %}
                coalesce(
                    walk.nearest_wrapper_ancestor_span_id,
                    case when ancestor.span_role = 'wrapper' then ancestor.span_id end
                ) as nearest_wrapper_ancestor_span_id
            from walk_level_{{ level - 1 }} as walk
            left outer join walk_base as ancestor
                on
                    walk.trace_id = ancestor.trace_id
                    and walk.cursor_span_id = ancestor.span_id

        ),
    {%- endfor %}

    {#- A span whose walk ran out of levels with its parent still delivered is more than max_depth below its root
        (or in a parent loop): it gets no walk row, as on the other engines. #}
    walk as (

        select walk.*
        from walk_level_{{ max_depth }} as walk
        left outer join walk_base as beyond
            on
                walk.trace_id = beyond.trace_id
                and walk.cursor_span_id = beyond.span_id
        where beyond.span_id is null

    ),

{%- else %}

    {# DuckDB and PostgreSQL: a recursive CTE walking down from the roots (spans whose parent is not delivered), one
        level per iteration, so it stops at the data's real depth and each span is written once with what it inherits.
        The unrolled joins held max_depth hash tables of all parent spans at once: at 10M spans that spilled tens of
        GB. A span more than max_depth below its root (or in a parent loop) is not reached: it gets no walk row. #}
    walk as (

        select
            trace_id,
            span_id,
            trace_date,
            span_role,
            {{ otel_walk_start_columns() }}
        from walk_base
        where
            parent_span_id is null
            or not exists (
                select 1
                from walk_base as parent
                where
                    parent.trace_id = walk_base.trace_id
                    and parent.span_id = walk_base.parent_span_id
            )

        union all

        select
            child.trace_id,
            child.span_id,
            child.trace_date,
            child.span_role,
            walk.root_span_id,
            walk.ancestor_depth + 1 as ancestor_depth,
            case
                when walk.span_role = 'model_call' then walk.span_id else walk.nearest_model_call_ancestor_span_id
            end as nearest_model_call_ancestor_span_id,
            {%- for dimension in otel_inherited_dimensions() %}
                coalesce(child.own_{{ dimension }}, walk.inherited_{{ dimension }}) as inherited_{{ dimension }},
            {%- endfor %}
            case
                when walk.span_role = 'wrapper' then walk.span_id else walk.nearest_wrapper_ancestor_span_id
            end as nearest_wrapper_ancestor_span_id
        from walk
        inner join walk_base as child
            on
                walk.trace_id = child.trace_id
                and walk.span_id = child.parent_span_id
        where walk.ancestor_depth < {{ max_depth }}

    ),

{%- endif %}

final as (

    select
        trace_id,
        span_id,
        root_span_id,
        ancestor_depth,
        nearest_model_call_ancestor_span_id,
        nearest_wrapper_ancestor_span_id,
        {%- for dimension in otel_inherited_dimensions() %}
            inherited_{{ dimension }},
        {%- endfor %}
        trace_date,
        {{ incremental_metadata_columns(window) }}
    from walk

)

select * from final
{#- Not sorted by incremental_cluster_order: at 10M spans the sort on top of the recursive walk ran out of memory
    (docs/incremental.md, Storage order); this narrow table costs a daily run about 4 s either way. #}
