{#- Every money line of every billing export in one shape, before classification: one row per source money line
    (GCP credits become their own split rows). Columns that classification needs are kept raw here:
    `service_key` (picks the provider), `raw_charge_type` (picks the charge category), `match_text` (matched
    against the usage-type seed), `model_text` (model words when the export names the model apart),
    `raw_service_tier`. Usage reports (OpenAI usage, Anthropic messages usage) carry no money and are not here. -#}
{%- set string_type = dbt.type_string() -%}

with

stg_billing__openai_costs as (

    select * from {{ ref('stg_billing__openai_costs') }}

),

stg_billing__anthropic_cost_report as (

    select * from {{ ref('stg_billing__anthropic_cost_report') }}

),

stg_billing__aws_cur2 as (

    select * from {{ ref('stg_billing__aws_cur2') }}

),

stg_billing__aws_focus as (

    select * from {{ ref('stg_billing__aws_focus') }}

),

stg_billing__gcp_billing_export as (

    select * from {{ ref('stg_billing__gcp_billing_export') }}

),

stg_billing__gcp_billing_export_credits as (

    select * from {{ ref('stg_billing__gcp_billing_export_credits') }}

),

stg_billing__azure_cost_export as (

    select * from {{ ref('stg_billing__azure_cost_export') }}

),

openai_lines as (

    select
        'openai_costs' as source_system,
        'billing_openai_costs' as source_table,
        openai_cost_line_id as source_line_id,
        0 as split_index,
        source_file,
        source_line,
        '*' as service_key,
        cast(null as {{ string_type }}) as invoice_issuer_raw,
        organization_id as billing_account_id,
        project_id as sub_account_id,
        cast({{ dbt.date_trunc('month', 'charge_period_start') }} as date) as billing_period_start,
        charge_period_start,
        charge_period_end,
        'usage' as raw_charge_type,
        line_item as charge_description,
        line_item as sku_id,
        cast(null as {{ string_type }}) as region,
        lower(trim(case
            when line_item like '% | %' then {{ dbt.split_part('line_item', "' | '", 2) }}
            else line_item
        end)) as match_text,
        cast(null as {{ string_type }}) as model_text,
        lower(trim(case
            when line_item like '% | %' then {{ dbt.split_part('line_item', "' | '", 1) }}
        end)) as raw_service_tier,
        cast(null as decimal(38, 6)) as consumed_quantity,
        cast(null as {{ string_type }}) as consumed_unit,
        billed_cost,
        billing_currency,
        cast(null as {{ string_type }}) as tags,
        parse_problem
    from stg_billing__openai_costs

),

anthropic_lines as (

    select
        'anthropic_cost_report' as source_system,
        'billing_anthropic_cost_report' as source_table,
        anthropic_cost_line_id as source_line_id,
        0 as split_index,
        source_file,
        source_line,
        '*' as service_key,
        cast(null as {{ string_type }}) as invoice_issuer_raw,
        organization_id as billing_account_id,
        workspace_id as sub_account_id,
        cast({{ dbt.date_trunc('month', 'charge_period_start') }} as date) as billing_period_start,
        charge_period_start,
        charge_period_end,
        'usage' as raw_charge_type,
        description as charge_description,
        coalesce(token_type, cost_type) as sku_id,
        inference_geo as region,
        lower(trim(coalesce(token_type, cost_type))) as match_text,
        lower(trim(model)) as model_text,
        lower(trim(service_tier)) as raw_service_tier,
        cast(null as decimal(38, 6)) as consumed_quantity,
        cast(null as {{ string_type }}) as consumed_unit,
        billed_cost,
        billing_currency,
        cast(null as {{ string_type }}) as tags,
        parse_problem
    from stg_billing__anthropic_cost_report

),

aws_cur2_lines as (

    select
        'aws_cur2' as source_system,
        'billing_aws_cur2' as source_table,
        aws_cur2_line_id as source_line_id,
        0 as split_index,
        source_file,
        source_line,
        product_code as service_key,
        billing_entity as invoice_issuer_raw,
        payer_account_id as billing_account_id,
        usage_account_id as sub_account_id,
        cast(billing_period_start_at as date) as billing_period_start,
        usage_start_at as charge_period_start,
        usage_end_at as charge_period_end,
        lower(trim(line_item_type)) as raw_charge_type,
        line_item_description as charge_description,
        usage_type as sku_id,
        region_code as region,
        {#- The usage type without its region prefix:
            `ClaudeSonnet4.5-input-tokens`, `MP:USW2_InputTokenCount-Units`. -#}
        
        lower(trim(case
            when
                usage_type like '%-%'
                then {{ dbt.right('usage_type', dbt.length('usage_type') ~ ' - ' ~ dbt.position("'-'", 'usage_type')) }}
            else usage_type
        end)) as match_text,
        case
            when
                is_marketplace
                then
                    lower(trim(replace(coalesce(product_name, line_item_description), ' (Amazon Bedrock Edition)', '')))
        end as model_text,
        cast(null as {{ string_type }}) as raw_service_tier,
        usage_amount as consumed_quantity,
        pricing_unit as consumed_unit,
        unblended_cost as billed_cost,
        currency_code as billing_currency,
        resource_tags_json as tags,
        parse_problem
    from stg_billing__aws_cur2

),

aws_focus_lines as (

    select
        'aws_focus' as source_system,
        'billing_aws_focus' as source_table,
        aws_focus_line_id as source_line_id,
        0 as split_index,
        source_file,
        source_line,
        service_name as service_key,
        invoice_issuer_name as invoice_issuer_raw,
        billing_account_id,
        sub_account_id,
        cast(billing_period_start_at as date) as billing_period_start,
        charge_period_start,
        charge_period_end,
        lower(trim(charge_category)) as raw_charge_type,
        charge_description,
        coalesce(sku_id, usage_type) as sku_id,
        region_id as region,
        lower(trim(case
            when
                usage_type like '%-%'
                then {{ dbt.right('usage_type', dbt.length('usage_type') ~ ' - ' ~ dbt.position("'-'", 'usage_type')) }}
            else usage_type
        end)) as match_text,
        {#- The FOCUS export has no product name: the marketplace model is the charge description's prefix. -#}
        
        case
            when is_marketplace and charge_description like '% (Amazon Bedrock Edition)%'
                then lower(trim({{ dbt.split_part('charge_description', "' (Amazon Bedrock Edition)'", 1) }}))
        end as model_text,
        cast(null as {{ string_type }}) as raw_service_tier,
        consumed_quantity,
        consumed_unit,
        billed_cost,
        billing_currency,
        tags_json as tags,
        parse_problem
    from stg_billing__aws_focus

),

gcp_lines as (

    select
        'gcp_billing_export' as source_system,
        'billing_gcp_billing_export' as source_table,
        gcp_billing_line_id as source_line_id,
        0 as split_index,
        source_file,
        source_line,
        service_description as service_key,
        cast(null as {{ string_type }}) as invoice_issuer_raw,
        billing_account_id,
        project_id as sub_account_id,
        invoice_month as billing_period_start,
        usage_start_at as charge_period_start,
        usage_end_at as charge_period_end,
        lower(trim(cost_type)) as raw_charge_type,
        sku_description as charge_description,
        sku_id,
        region,
        lower(trim(sku_description)) as match_text,
        cast(null as {{ string_type }}) as model_text,
        cast(null as {{ string_type }}) as raw_service_tier,
        usage_amount as consumed_quantity,
        usage_unit as consumed_unit,
        cost as billed_cost,
        billing_currency,
        labels_json as tags,
        parse_problem
    from stg_billing__gcp_billing_export

),

gcp_credit_lines as (

    select
        'gcp_billing_export' as source_system,
        'billing_gcp_billing_export' as source_table,
        gcp_lines.source_line_id,
        credits.credit_index + 1 as split_index,
        gcp_lines.source_file,
        gcp_lines.source_line,
        gcp_lines.service_key,
        gcp_lines.invoice_issuer_raw,
        gcp_lines.billing_account_id,
        gcp_lines.sub_account_id,
        gcp_lines.billing_period_start,
        gcp_lines.charge_period_start,
        gcp_lines.charge_period_end,
        'credit' as raw_charge_type,
        coalesce(credits.credit_full_name, credits.credit_name) as charge_description,
        credits.credit_id as sku_id,
        gcp_lines.region,
        cast(null as {{ string_type }}) as match_text,
        cast(null as {{ string_type }}) as model_text,
        cast(null as {{ string_type }}) as raw_service_tier,
        cast(null as decimal(38, 6)) as consumed_quantity,
        cast(null as {{ string_type }}) as consumed_unit,
        credits.credit_amount as billed_cost,
        gcp_lines.billing_currency,
        gcp_lines.tags,
        credits.parse_problem
    from stg_billing__gcp_billing_export_credits as credits
    inner join gcp_lines
        on credits.gcp_billing_line_id = gcp_lines.source_line_id

),

azure_lines as (

    select
        'azure_cost_export' as source_system,
        'billing_azure_cost_export' as source_table,
        azure_cost_line_id as source_line_id,
        0 as split_index,
        source_file,
        source_line,
        '*' as service_key,
        cast(null as {{ string_type }}) as invoice_issuer_raw,
        billing_account_id,
        subscription_id as sub_account_id,
        coalesce(billing_period_start_date, cast({{ dbt.date_trunc('month', 'usage_date') }} as date))
            as billing_period_start,
        cast(usage_date as timestamp) as charge_period_start,
        cast({{ dbt.dateadd('day', 1, 'usage_date') }} as timestamp) as charge_period_end,
        lower(trim(charge_type)) as raw_charge_type,
        meter_name as charge_description,
        meter_id as sku_id,
        resource_location as region,
        lower(trim(meter_name)) as match_text,
        cast(null as {{ string_type }}) as model_text,
        cast(null as {{ string_type }}) as raw_service_tier,
        consumed_quantity,
        unit_of_measure as consumed_unit,
        cost_in_billing_currency as billed_cost,
        billing_currency,
        tags_json as tags,
        parse_problem
    from stg_billing__azure_cost_export

),

final as (

    select * from openai_lines
    union all
    select * from anthropic_lines
    union all
    select * from aws_cur2_lines
    union all
    select * from aws_focus_lines
    union all
    select * from gcp_lines
    union all
    select * from gcp_credit_lines
    union all
    select * from azure_lines

)

select * from final
