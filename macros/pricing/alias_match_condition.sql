{#-
    Join condition between a relation of model strings (`probes`, with `provider`, a date and a lower-cased raw
    model string) and stg_rate_cards__model_aliases (`aliases`): same provider, rule in force on the date, and
    the string equal to an exact rule or matching a pattern rule. One definition for the resolution model and for
    the tests that check the alias seed.
-#}
{% macro alias_match_condition(probes, aliases, date_column, raw_model_column) -%}
    {{ probes }}.provider = {{ aliases }}.provider
    and {{ probes }}.{{ date_column }} >= {{ aliases }}.valid_from
    and {{ probes }}.{{ date_column }} < {{ aliases }}.valid_to_effective
    and (
        ({{ aliases }}.match_type = 'exact' and {{ probes }}.{{ raw_model_column }} = {{ aliases }}.raw_model_pattern)
        or (
            {{ aliases }}.match_type = 'pattern'
            and {{ regex_matches(probes ~ '.' ~ raw_model_column, aliases ~ '.raw_model_pattern') }}
        )
    )
{%- endmacro %}
