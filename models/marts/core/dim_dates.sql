{#- One row per UTC calendar day from the first day of the month of the earliest call or subscription month to the
    last day of the month of the latest one. Bounds are read from the data when the model runs; the vars
    date_spine_default_start / date_spine_default_end are used when there is no data yet. -#}
{%- set start_date = var('date_spine_default_start') -%}
{%- set end_date = var('date_spine_default_end') -%}
{%- if execute and load_relation(ref('int_llm_calls')) is not none
    and load_relation(ref('stg_app__subscriptions')) is not none -%}
    {%- set bounds_query -%}
        with bounds as (
            select min(call_date) as first_date, max(call_date) as last_date from {{ ref('int_llm_calls') }}
            union all
            select min(revenue_month) as first_date, max(revenue_month) as last_date
            from {{ ref('stg_app__subscriptions') }}
        )
        select
            cast(cast(min(first_date) as date) as {{ dbt.type_string() }}) as first_date,
            cast(cast(max(last_date) as date) as {{ dbt.type_string() }}) as last_date
        from bounds
    {%- endset -%}
    {%- set bounds = run_query(bounds_query) -%}
    {%- if bounds and bounds.rows[0][0] is not none -%}
        {%- set start_date = bounds.rows[0][0] -%}
        {%- set end_date = bounds.rows[0][1] -%}
    {%- endif -%}
{%- endif -%}
{%- set spine_start = dbt.date_trunc('month', "cast('" ~ start_date ~ "' as date)") -%}
{%- set spine_end = dbt.dateadd('month', 1, dbt.date_trunc('month', "cast('" ~ end_date ~ "' as date)")) -%}

-- depends_on: {{ ref('int_llm_calls') }}
-- depends_on: {{ ref('stg_app__subscriptions') }}

with spine as (
    {{ dbt.date_spine('day', spine_start, spine_end) }}
),

days as (
    select cast(date_day as date) as date_day
    from spine
),

final as (
    select
        date_day,
        cast({{ dbt.date_trunc('week', 'date_day') }} as date) as week_start_date,
        cast({{ dbt.date_trunc('month', 'date_day') }} as date) as month_start_date,
        cast({{ dbt.date_trunc('quarter', 'date_day') }} as date) as quarter_start_date,
        cast({{ dbt.date_trunc('year', 'date_day') }} as date) as year_start_date,
        cast(
            {{ dbt.datediff(dbt.date_trunc('week', 'date_day'), 'date_day', 'day') }} + 1 as integer -- noqa: LT05
        ) as iso_day_of_week,
        cast(
            {{ dbt.datediff(dbt.date_trunc('month', 'date_day'), 'date_day', 'day') }} + 1 as integer -- noqa: LT05
        ) as day_of_month,
        cast(
            {{ dbt.datediff(dbt.date_trunc('month', 'date_day'),
                            dbt.dateadd('month', 1, dbt.date_trunc('month', 'date_day')), 'day') }} as integer
        ) as days_in_month
    from days
)

select * from final
