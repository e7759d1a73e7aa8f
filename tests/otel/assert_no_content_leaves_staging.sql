{#- Privacy: prompt/completion content never reaches a model other than the raw source. (1) No column of any
    model in this project is named like a content attribute. (2) No text column of any intermediate or mart model,
    nor of the staging models, contains the generator's content marker (var otel_content_marker); incremental models
    in the rows of their latest build (docs/incremental.md). Returns offenders. -#}

{#- The models without children: every model is upstream of them, so this test runs after the whole build (else it
    reads an incremental model's previous build, all of its rows after a full refresh, and misses this run's rows).
    tests/python/test_project_conventions.py checks that every model is upstream. -#}
-- depends_on: {{ ref('dim_cost_centers') }}
-- depends_on: {{ ref('dim_environments') }}
-- depends_on: {{ ref('dim_models') }}
-- depends_on: {{ ref('dim_time_spine_daily') }}
-- depends_on: {{ ref('fct_billing_reconciliation_daily') }}
-- depends_on: {{ ref('fct_budget_burn') }}
-- depends_on: {{ ref('fct_customer_quota_burn_monthly') }}
-- depends_on: {{ ref('fct_feature_economics_daily') }}
-- depends_on: {{ ref('fct_feature_economics_monthly') }}
-- depends_on: {{ ref('fct_focus_ai_spend') }}
-- depends_on: {{ ref('fct_invoice_explanation_monthly') }}
-- depends_on: {{ ref('fct_savings_opportunities') }}
-- depends_on: {{ ref('fct_spend_anomalies_daily') }}
-- depends_on: {{ ref('fct_spend_forecast_monthly') }}
-- depends_on: {{ ref('int_llm_call_audit') }}
-- depends_on: {{ ref('int_llm_calls_unpriced') }}
-- depends_on: {{ ref('int_llm_cost_allocated') }}
-- depends_on: {{ ref('int_otel_spans_quarantined') }}
-- depends_on: {{ ref('stg_billing__anthropic_usage_messages') }}
-- depends_on: {{ ref('stg_billing__openai_usage_completions') }}

{%- set marker = var('otel_content_marker') -%}
{%- set content_name_fragments = [
    'input_messages', 'output_messages', 'prompt', 'completion', 'tool_call_arguments', 'tool_call_result',
    'input_value', 'output_value', 'response_text', 'span_attributes', 'resource_attributes'
] -%}
{%- set checks = [] -%}

{%- if execute -%}
    {%- set nodes = [] -%}
    {%- for node in graph.nodes.values()
        if node.resource_type in ('model', 'seed') and node.package_name == project_name
        and node.config.materialized != 'ephemeral' and node.config.enabled -%}
        {%- do nodes.append(node) -%}
    {%- endfor -%}
    {#- Every relation's columns from one information_schema query (one query per relation took most of this test's
        time: 21 s of a daily build at 10M spans, the SQL itself 3.5 s). Spark has no information_schema: there the
        columns are read per relation. -#}
    {%- set columns_by_relation = {} -%}
    {%- if target.type != 'spark' and nodes -%}
        {%- set schema_names = nodes | map(attribute='schema') | map('lower') | unique | list -%}
        {%- set column_rows = run_query(
            'select lower(table_catalog), lower(table_schema), lower(table_name), column_name, data_type'
            ~ ' from information_schema.columns where lower(table_schema) in (\'' ~ schema_names | join("', '")
            ~ '\') order by table_catalog, table_schema, table_name, ordinal_position'
        ) -%}
        {%- for row in column_rows -%}
            {%- do columns_by_relation.setdefault(row[0] ~ '.' ~ row[1] ~ '.' ~ row[2], []).append(
                api.Column.create(row[3], row[4])) -%}
        {%- endfor -%}
    {%- endif -%}
    {%- for node in nodes -%}
        {%- set relation = adapter.get_relation(database=node.database, schema=node.schema, identifier=node.alias) -%}
        {%- if relation is not none -%}
            {#- An incremental model is scanned in the rows its latest build wrote (macro incremental_latest_build_condition). -#}
            {%- set latest_build = incremental_latest_build_condition(relation) -%}
            {%- set text_columns = [] -%}
            {%- set relation_key = (node.database | lower) ~ '.' ~ (node.schema | lower) ~ '.' ~ (node.alias | lower) -%}
            {%- set relation_columns = columns_by_relation[relation_key] if relation_key in columns_by_relation
                else adapter.get_columns_in_relation(relation) -%}
            {%- for column in relation_columns -%}
                {%- for fragment in content_name_fragments -%}
                    {%- if fragment in column.name | lower -%}
                        {%- do checks.append("select '" ~ node.name ~ "' as model_name, '" ~ column.name ~ "' as column_name, 'content-like column name' as problem") -%}
                    {%- endif -%}
                {%- endfor -%}
                {%- if column.is_string() -%}
                    {%- do text_columns.append(column.name) -%}
                {%- endif -%}
            {%- endfor -%}
            {#- One scan per relation: a 0/1 flag per text column, then one row per flagged column. -#}
            {%- if text_columns -%}
                {%- set flags = [] -%}
                {%- set names = [] -%}
                {%- set picks = [] -%}
                {%- for name in text_columns -%}
                    {%- do flags.append("max(case when " ~ adapter.quote(name) ~ " like '%" ~ marker ~ "%' then 1 else 0 end) as flag_" ~ loop.index) -%}
                    {%- do names.append("select " ~ loop.index ~ " as column_number, '" ~ name ~ "' as column_name") -%}
                    {%- do picks.append("when " ~ loop.index ~ " then flags.flag_" ~ loop.index) -%}
                {%- endfor -%}
                {%- do checks.append(
                    "select '" ~ node.name ~ "' as model_name, names.column_name, 'content marker in value' as problem"
                    ~ " from (select " ~ flags | join(', ') ~ " from " ~ relation
                    ~ (" where " ~ latest_build if latest_build else "") ~ ") as flags"
                    ~ " cross join (" ~ names | join(' union all ') ~ ") as names"
                    ~ " where case names.column_number " ~ picks | join(' ') ~ " end = 1"
                ) -%}
            {%- endif -%}
        {%- endif -%}
    {%- endfor -%}
{%- endif %}

{% if checks | length > 0 -%}
{{ checks | join('\nunion all\n') }}
{%- else -%}
    select
        cast(null as {{ dbt.type_string() }}) as model_name,
        cast(null as {{ dbt.type_string() }}) as column_name,
        cast(null as {{ dbt.type_string() }}) as problem
    where 1 = 0
{%- endif %}
