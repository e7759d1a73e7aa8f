{#- The MetricFlow time spine: one row per UTC day. Bounds come from vars so no date is hard-wired in SQL. -#}
with days as (
    {{ dbt.date_spine(
        'day',
        "cast('" ~ var('time_spine_start_date') ~ "' as date)",
        "cast('" ~ var('time_spine_end_date') ~ "' as date)"
    ) }}
),

final as (
    select cast(date_day as date) as date_day
    from days
)

select * from final
