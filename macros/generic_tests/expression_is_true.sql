{% test expression_is_true(model, expression, column_name=None) %}
{#- Fails with every row for which the boolean expression is not true (false or NULL).
    When attached to a column, the expression is appended to the column name: `>= 0` tests `column >= 0`. -#}
{%- set full_expression = (column_name ~ ' ' ~ expression) if column_name else expression -%}
select *
from {{ model }}
where not coalesce(({{ full_expression }}), false)
{% endtest %}
