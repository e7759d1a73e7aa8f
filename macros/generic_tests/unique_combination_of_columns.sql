{% test unique_combination_of_columns(model, combination_of_columns) %}
{#- Fails with one row per duplicated combination of the given columns. -#}
select
    {{ combination_of_columns | join(',\n    ') }},
    count(*) as duplicate_rows
from {{ model }}
group by {{ combination_of_columns | join(', ') }}
having count(*) > 1
{% endtest %}
