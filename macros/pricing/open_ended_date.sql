{#- The end date used for an open validity window (blank `valid_to` in a seed): far future, as a date literal. -#}
{% macro open_ended_date() -%}
    cast('{{ var("rate_card_open_end_date", "9999-12-31") }}' as date)
{%- endmacro %}
