{#- The smaller of two nullable expressions, NULL only when both are NULL; spelled out so that the NULL handling does
    not depend on an engine's least(). Picks the winning rule between two candidate rule priorities. -#}
{% macro lowest_of(first, second) -%}
    case when {{ second }} is null or {{ first }} <= {{ second }} then {{ first }} else {{ second }} end
{%- endmacro %}
