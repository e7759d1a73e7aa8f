{#- Conservation: every raw row of every money export appears in int_billing_lines exactly once as its own line
    (split_index 0), and every element of a GCP credits array once as a split line. Counts come straight from the
    raw tables (source()), independent of staging. Returns the source tables where the counts differ. -#}

with

raw_counts as (

    select 'billing_openai_costs' as source_table, count(*) as raw_rows from {{ source('billing', 'billing_openai_costs') }}
    union all
    select 'billing_anthropic_cost_report' as source_table, count(*) as raw_rows from {{ source('billing', 'billing_anthropic_cost_report') }}
    union all
    select 'billing_aws_cur2' as source_table, count(*) as raw_rows from {{ source('billing', 'billing_aws_cur2') }}
    union all
    select 'billing_aws_focus' as source_table, count(*) as raw_rows from {{ source('billing', 'billing_aws_focus') }}
    union all
    select 'billing_gcp_billing_export' as source_table, count(*) as raw_rows from {{ source('billing', 'billing_gcp_billing_export') }}
    union all
    select 'billing_azure_cost_export' as source_table, count(*) as raw_rows from {{ source('billing', 'billing_azure_cost_export') }}

),

credit_elements as (

    select count(*) as credit_rows
    from {{ ref('stg_billing__gcp_billing_export_credits') }}

),

line_counts as (

    select
        source_table,
        sum(case when split_index = 0 then 1 else 0 end) as own_lines,
        sum(case when split_index > 0 then 1 else 0 end) as split_lines,
        count(distinct {{ dbt.concat(["source_file", "'|'", "cast(source_line as " ~ dbt.type_string() ~ ")"]) }}) as distinct_source_lines
    from {{ ref('int_billing_lines') }}
    group by source_table

),

compared as (

    select
        raw_counts.source_table,
        raw_counts.raw_rows,
        coalesce(line_counts.own_lines, 0) as own_lines,
        coalesce(line_counts.split_lines, 0) as split_lines,
        case when raw_counts.source_table = 'billing_gcp_billing_export' then credit_elements.credit_rows else 0 end
            as expected_split_lines
    from raw_counts
    cross join credit_elements
    left join line_counts
        on raw_counts.source_table = line_counts.source_table

),

final as (

    select *
    from compared
    where raw_rows <> own_lines
        or split_lines <> expected_split_lines

)

select * from final
