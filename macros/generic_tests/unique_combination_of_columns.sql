{% test unique_combination_of_columns(model, combination_of_columns, quote_columns=false) %}
{#- Fails with one row per duplicated combination of the given columns (quoted for the engine when quote_columns). -#}
{%- set columns = [] -%}
{%- for column in combination_of_columns -%}
    {%- do columns.append(adapter.quote(column) if quote_columns else column) -%}
{%- endfor -%}
{{ adapter.dispatch('unique_combination_of_columns_sql', 'ai_finops')(model, columns) }}
{% endtest %}


{% macro default__unique_combination_of_columns_sql(model, columns) -%}
select
    {{ columns | join(',\n    ') }},
    count(*) as duplicate_rows
from {{ model }}
group by {{ columns | join(', ') }}
having count(*) > 1
{%- endmacro %}


{#- DuckDB: the combinations are grouped by a 64-bit hash of the columns first, then only the rows whose hash occurs
    more than once are grouped by the columns themselves. Equal combinations hash alike, so every duplicate reaches
    the second, exact step, which also drops the rare different combinations that share a hash; the failing rows are
    the default's. On 103M attribute rows it took 10-14 s, where grouping the text of the columns took 48.5 s
    (BENCHMARKS.md, session 13). -#}
{% macro duckdb__unique_combination_of_columns_sql(model, columns) -%}
with

duplicate_hashes as (

    select hash({{ columns | join(', ') }}) as combination_hash
    from {{ model }}
    group by 1
    having count(*) > 1

)

select
    {{ columns | join(',\n    ') }},
    count(*) as duplicate_rows
from {{ model }}
where hash({{ columns | join(', ') }}) in (select combination_hash from duplicate_hashes)
group by {{ columns | join(', ') }}
having count(*) > 1
{%- endmacro %}
