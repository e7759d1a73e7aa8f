{% test mutually_exclusive_ranges(model, lower_bound_column, upper_bound_column, partition_by=none, zero_length_range_allowed=false) %}
{#- Fails with each pair of rows of the same partition whose half-open ranges [lower, upper) overlap, and with each
    row whose range is empty or inverted. A NULL upper bound means open-ended. partition_by: a list of columns. -#}
{%- set partition_columns = partition_by if partition_by is not none else [] -%}
{%- if partition_columns is string -%}{%- set partition_columns = [partition_columns] -%}{%- endif -%}
with ranges as (
    select
        {% for column in partition_columns %}{{ column }} as partition_{{ loop.index }},
        {% endfor %}{{ lower_bound_column }} as lower_bound,
        {{ upper_bound_column }} as upper_bound,
        row_number() over (order by {{ lower_bound_column }}) as range_row_id
    from {{ model }}
),

bad_ranges as (
    select
        range_row_id as left_row_id,
        cast(null as bigint) as right_row_id,
        'empty_or_inverted_range' as problem
    from ranges
    where upper_bound is not null
      and upper_bound {{ '<' if zero_length_range_allowed else '<=' }} lower_bound
),

overlaps as (
    select
        left_range.range_row_id as left_row_id,
        right_range.range_row_id as right_row_id,
        'overlapping_ranges' as problem
    from ranges as left_range
    inner join ranges as right_range
        on left_range.range_row_id < right_range.range_row_id
        {% for column in partition_columns %}
        and left_range.partition_{{ loop.index }} = right_range.partition_{{ loop.index }}
        {% endfor %}
        and (right_range.upper_bound is null or left_range.lower_bound < right_range.upper_bound)
        and (left_range.upper_bound is null or right_range.lower_bound < left_range.upper_bound)
)

select * from bad_ranges
union all
select * from overlaps
{% endtest %}
