{#- Exact decimal division for money and shares: `numerator / denominator` as decimal(38, 12), NULL when the
    denominator is 0 or NULL. DuckDB turns decimal / decimal into a DOUBLE (about 16 significant digits), so money
    would pass through a float; there the quotient is computed on 128-bit integers scaled by 10^12 and truncated at
    the 12th decimal. Valid for |numerator| < 10^14 (ample for USD amounts and token counts). -#}
{% macro divide(numerator, denominator) -%}
    {{ return(adapter.dispatch('divide', 'ai_finops')(numerator, denominator)) }}
{%- endmacro %}

{% macro default__divide(numerator, denominator) -%}
    cast(cast({{ numerator }} as decimal(38, 12)) / nullif(cast({{ denominator }} as decimal(38, 12)), 0) as decimal(38, 12))
{%- endmacro %}

{% macro duckdb__divide(numerator, denominator) -%}
    case
        when cast({{ denominator }} as decimal(38, 12)) <> 0 then
            cast(
                cast(
                    (
                        cast(round(cast({{ numerator }} as decimal(38, 12)) * 1000000000000) as hugeint)
                        * cast(1000000000000 as hugeint)
                    ) // cast(round(cast({{ denominator }} as decimal(38, 12)) * 1000000000000) as hugeint)
                    as decimal(38, 0)
                ) * cast(0.000000000001 as decimal(38, 12))
                as decimal(38, 12)
            )
    end
{%- endmacro %}
