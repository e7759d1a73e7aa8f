{%- if var('billing_source_aws', 'cur2') not in ['cur2', 'focus'] -%}
    {{ exceptions.raise_compiler_error("var billing_source_aws must be 'cur2' or 'focus', got '" ~ var('billing_source_aws') ~ "'") }}
{%- endif -%}
{%- set string_type = dbt.type_string() -%}

with

int_billing_lines_unioned as (

    select * from {{ ref('int_billing_lines_unioned') }}

),

billing_sources as (

    select * from {{ ref('billing_sources') }}

),

billing_charge_categories as (

    select * from {{ ref('billing_charge_categories') }}

),

billing_usage_types as (

    select * from {{ ref('billing_usage_types') }}

),

billing_models as (

    select * from {{ ref('billing_models') }}

),

billing_service_tiers as (

    select * from {{ ref('billing_service_tiers') }}

),

rate_card_models as (

    select * from {{ ref('rate_card_models') }}

),

stg_rate_cards__fx_rates as (

    select * from {{ ref('stg_rate_cards__fx_rates') }}

),

known_models as (

    select distinct
        provider,
        lower(model_id) as model_key,
        model_id
    from rate_card_models

),

lines as (

    select
        {{ dbt.hash(dbt.concat(["int_billing_lines_unioned.source_line_id", "'|'",
            "cast(int_billing_lines_unioned.split_index as " ~ string_type ~ ")"])) }} as billing_line_id,
        int_billing_lines_unioned.*,
        cast(int_billing_lines_unioned.charge_period_start as date) as charge_date,
        coalesce(specific_source.provider, wildcard_source.provider) as provider,
        coalesce(specific_source.naming_scheme, wildcard_source.naming_scheme) as naming_scheme,
        coalesce(specific_source.service_name, wildcard_source.service_name) as service_name,
        coalesce(
            int_billing_lines_unioned.invoice_issuer_raw,
            specific_source.invoice_issuer,
            wildcard_source.invoice_issuer
        ) as invoice_issuer,
        billing_charge_categories.charge_category,
        billing_charge_categories.charge_class,
        billing_charge_categories.charge_type as category_charge_type
    from int_billing_lines_unioned
    left outer join billing_sources as specific_source
        on
            int_billing_lines_unioned.source_system = specific_source.source_system
            and int_billing_lines_unioned.service_key = specific_source.service_key
    left outer join billing_sources as wildcard_source
        on
            int_billing_lines_unioned.source_system = wildcard_source.source_system
            and wildcard_source.service_key = '*'
    left outer join billing_charge_categories
        on
            int_billing_lines_unioned.source_system = billing_charge_categories.source_system
            and int_billing_lines_unioned.raw_charge_type = billing_charge_categories.raw_charge_type

),

usage_type_candidates as (

    {#- Every usage-type pattern that fits the line text;
        the longest pattern wins (`, cached input` before `, input`). -#}
    select
        lines.billing_line_id,
        billing_usage_types.pattern,
        billing_usage_types.match_type,
        billing_usage_types.token_type,
        billing_usage_types.service_tier,
        billing_usage_types.charge_type,
        row_number() over (
            partition by lines.billing_line_id
            order by {{ dbt.length('billing_usage_types.pattern') }} desc, billing_usage_types.pattern
        ) as match_rank
    from lines
    inner join billing_usage_types
        on
            lines.naming_scheme = billing_usage_types.naming_scheme
            and (
                (billing_usage_types.match_type = 'exact' and lines.match_text = lower(billing_usage_types.pattern))
                or (
                    billing_usage_types.match_type = 'suffix'
                    and {{ dbt.length('lines.match_text') }} > {{ dbt.length('billing_usage_types.pattern') }}
                    and {{ dbt.right('lines.match_text', dbt.length('billing_usage_types.pattern')) }}
                    = lower(billing_usage_types.pattern)
                )
            )
    where lines.charge_category = 'Usage'

),

usage_matched as (

    select
        lines.*,
        usage_type_candidates.pattern as usage_pattern,
        usage_type_candidates.token_type as usage_token_type,
        usage_type_candidates.service_tier as usage_service_tier,
        usage_type_candidates.charge_type as usage_charge_type,
        coalesce(
            lines.model_text,
            case
                when usage_type_candidates.match_type = 'suffix'
                    then trim(substring(
                        lines.match_text, 1,
                        {{ dbt.length('lines.match_text') }} - {{ dbt.length('usage_type_candidates.pattern') }}
                    ))
            end
        ) as model_key
    from lines
    left outer join usage_type_candidates
        on
            lines.billing_line_id = usage_type_candidates.billing_line_id
            and usage_type_candidates.match_rank = 1

),

classified as (

    select
        usage_matched.*,
        coalesce(billing_models.model_id, known_models.model_id) as mapped_model_id,
        coalesce(
            usage_matched.usage_service_tier,
            billing_service_tiers.service_tier,
            case when usage_matched.raw_service_tier is null then 'standard' end
        ) as mapped_service_tier,
        coalesce(usage_matched.category_charge_type, usage_matched.usage_charge_type, 'other_usage') as charge_type
    from usage_matched
    left outer join billing_models
        on
            usage_matched.naming_scheme = billing_models.naming_scheme
            and usage_matched.model_key = lower(billing_models.raw_model)
    left outer join known_models
        on
            usage_matched.provider = known_models.provider
            and usage_matched.model_key = known_models.model_key
    left outer join billing_service_tiers
        on
            usage_matched.naming_scheme = billing_service_tiers.naming_scheme
            and usage_matched.raw_service_tier = billing_service_tiers.raw_service_tier

),

reasoned as (

    select
        classified.*,
        {{ billing_problems([
            "case when classified.provider is null then 'service not in seed billing_sources' end",
            "case when classified.charge_category is null then 'charge type not in seed billing_charge_categories' end",
            "case when classified.charge_category = 'Usage' and classified.usage_pattern is null then 'usage type not in seed billing_usage_types' end",
            "case when classified.usage_charge_type = 'token_usage' and classified.mapped_model_id is null then 'model not in seed billing_models nor rate_card_models' end",
            "case when classified.usage_charge_type = 'token_usage' and classified.mapped_service_tier is null then 'service tier not in seed billing_service_tiers' end",
        ]) }} as unmapped_reason
    from classified

),

converted as (

    select
        reasoned.*,
        cast(case
            when reasoned.billing_currency = 'USD' then reasoned.billed_cost
            when direct_rate.rate is not null then cast(reasoned.billed_cost * direct_rate.rate as decimal(38, 12))
            when
                inverse_rate.rate is not null
                then {{ divide('reasoned.billed_cost', 'inverse_rate.rate') }}
        end as decimal(38, 12)) as billed_cost_usd
    from reasoned
    left outer join stg_rate_cards__fx_rates as direct_rate
        on
            reasoned.billing_currency = direct_rate.currency_from
            and direct_rate.currency_to = 'USD'
            and coalesce(reasoned.charge_date, reasoned.billing_period_start) >= direct_rate.valid_from
            and coalesce(reasoned.charge_date, reasoned.billing_period_start) < direct_rate.valid_to_effective
    left outer join stg_rate_cards__fx_rates as inverse_rate
        on
            inverse_rate.currency_from = 'USD'
            and reasoned.billing_currency = inverse_rate.currency_to
            and coalesce(reasoned.charge_date, reasoned.billing_period_start) >= inverse_rate.valid_from
            and coalesce(reasoned.charge_date, reasoned.billing_period_start) < inverse_rate.valid_to_effective

),

final as (

    select
        billing_line_id,
        source_system,
        source_table,
        source_file,
        source_line,
        split_index,
        provider,
        invoice_issuer,
        billing_account_id,
        sub_account_id,
        billing_period_start,
        charge_period_start,
        charge_period_end,
        charge_date,
        charge_category,
        charge_class,
        charge_type,
        charge_description,
        service_name,
        sku_id,
        region,
        case
            when
                charge_category = 'Usage'
                and (usage_pattern is null or (usage_charge_type = 'token_usage' and mapped_model_id is null))
                then '__unmapped__'
            when usage_charge_type = 'token_usage' then mapped_model_id
        end as model_id,
        case when charge_category = 'Usage' then coalesce(usage_token_type, 'other') else 'other' end as token_type,
        case when charge_category = 'Usage' then mapped_service_tier end as service_tier,
        consumed_quantity,
        case when usage_charge_type = 'token_usage' then 'Tokens' else consumed_unit end as consumed_unit,
        billed_cost,
        billing_currency,
        billed_cost_usd,
        coalesce(charge_category = 'Usage' and usage_charge_type = 'token_usage', false) as is_token_usage,
        (unmapped_reason is null) as is_mapped,
        unmapped_reason,
        case
            when
                source_system = 'aws_cur2'
                then {{ "true" if var('billing_source_aws', 'cur2') == 'cur2' else "false" }}
            when
                source_system = 'aws_focus'
                then {{ "true" if var('billing_source_aws', 'cur2') == 'focus' else "false" }}
            else true
        end as is_reconciliation_source,
        {{ billing_problems([
            "parse_problem",
            "case when billed_cost is not null and billed_cost_usd is null then " ~ dbt.concat(["'no FX rate from '", "coalesce(billing_currency, '?')", "' to USD'"]) ~ " end",
        ]) }} as parse_problem,
        tags
    from converted

)

select * from final
