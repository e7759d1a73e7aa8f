{% test relationships_where(model, column_name, to, field, from_condition='1 = 1', to_condition='1 = 1') %}
{#- Like `relationships`, restricted to the child rows matching from_condition (and parents matching to_condition).
    Fails with each child value that has no parent. -#}
with child as (
    select {{ column_name }} as child_value
    from {{ model }}
    where {{ column_name }} is not null
      and ({{ from_condition }})
),

parent as (
    select {{ field }} as parent_value
    from {{ to }}
    where {{ to_condition }}
)

select child.child_value
from child
left join parent
    on child.child_value = parent.parent_value
where parent.parent_value is null
{% endtest %}
