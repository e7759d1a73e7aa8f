{#- One row per raw span occurrence with its attributes typed: the seed-matched concepts pivoted into columns, the
    convention, the span role, provider, model, region, service tier and the token partition (input basis, uncached
    input, cache read and write by duration, output, reasoning), and the span's own dimensions. The ancestor walk
    (int_otel_span_lineage) and the inheritance of dimensions (int_otel_spans_enriched) read this table: on DuckDB,
    the walk's recursive CTE probed in the same statement as these wide rows ran out of memory where each step on its
    own spills (docs/decisions.md). -#}

{{ config(**incremental_by_date('trace_date')) }}
{%- set window = incremental_window('trace_date') -%}
{%- set default_cache_write_duration = var('default_cache_write_duration') -%}
{%- if default_cache_write_duration not in ('5m', '1h') -%}
    {{ exceptions.raise_compiler_error("var default_cache_write_duration must be '5m' or '1h', got " ~ default_cache_write_duration) }}
{%- endif -%}
{%- set langfuse_keys = otel_langfuse_usage_keys() -%}
{#- DuckDB: the rank-1 value of each concept is read from the span's own attribute lists (stg_otel__spans,
    otel_attribute_lists_select) instead of regrouping the attribute rows into spans (otel_pivot_concepts). -#}
{%- set attribute_plan = otel_attribute_entry_plan() -%}
{%- set pivot = 'spans' if attribute_plan is not none else 'pivoted' -%}
{#- Cache write tokens reported without a duration go to the default duration. -#}
{%- set is_default_5m = 'true' if default_cache_write_duration == '5m' else 'false' -%}
{%- set is_default_1h = 'true' if default_cache_write_duration == '1h' else 'false' -%}
{%- set unsplit_cache_write -%}
    (coalesce(with_basis.cache_write_reported_tokens, 0) - coalesce(with_basis.cache_write_5m_split_tokens, 0)
    - coalesce(with_basis.cache_write_1h_split_tokens, 0))
{%- endset -%}

{#- The span and attribute tables are read straight from the table, with its own filter, wherever they are needed: a
    CTE referenced twice is materialized in full by DuckDB (every column of every row), and with the pivot that
    spilled gigabytes past memory_limit. #}
-- depends_on: {{ ref('otel_attribute_keys') }}
with
{%- if attribute_plan is none %}

    spans as (

        select * from {{ ref('stg_otel__spans') }}
        where {{ incremental_window_filter('trace_date', window) }}

    ),
{%- endif %}

convention_rules as (

    select * from {{ ref('otel_convention_rules') }}

),

span_roles as (

    select * from {{ ref('otel_span_roles') }}

),

provider_map as (

    select * from {{ ref('otel_provider_map') }}

),

scope_providers as (

    select * from {{ ref('otel_scope_providers') }}

),

endpoint_regions as (

    select * from {{ ref('otel_endpoint_regions') }}

),

service_tiers as (

    select * from {{ ref('otel_service_tiers') }}

),

input_basis_rules as (

    select * from {{ ref('otel_input_basis_rules') }}

),

{%- if attribute_plan is none %}

    {# Each matched attribute row of the window with the rule priorities it triggers: a convention hint (any rank) and,
        for the rank-1 value of a concept, a span role. The seeds' rule_priority is unique (seed tests), so the lowest
        priority names one rule. #}
    span_attribute_rules as (

        select
            span_attributes.span_occurrence_id,
            span_attributes.concept,
            span_attributes.attribute_value,
            span_attributes.concept_rank,
            hint_rules.rule_priority as convention_hint_priority,
            role_rules.rule_priority as role_rule_priority
        from {{ ref('stg_otel__span_attributes') }} as span_attributes
        left outer join convention_rules as hint_rules
            on
                hint_rules.match_on = 'attribute_hint'
                and span_attributes.convention_hint = hint_rules.match_value
        left outer join span_roles as role_rules
            on
                span_attributes.concept_rank = 1
                and span_attributes.concept = role_rules.concept
                and lower(span_attributes.attribute_value) = lower(role_rules.concept_value)
        where {{ incremental_window_filter('span_attributes.trace_date', window) }}

    ),

    {# One row per span with attributes: the pivoted concepts and the lowest hint and role priorities. One per-span
        table joined to the spans, not three: three 1M-row hash joins probed in one pipeline ran DuckDB out of memory
        at a tenth of the memory per span where one join spills. #}
    pivoted as (

        {{ otel_pivot_concepts('span_attribute_rules') }}

    ),
{%- else %}

    {# The rule priorities each seed entry and each rank-1 value can trigger, as one row: per entry number, the lowest
        convention-hint rule of its hint; per (concept, lowercased value), the lowest span-role rule. #}
    entry_rules as (

        select
            (
                select list(hint_rules.rule_priority order by entries.entry_number)
                from (
                    select
                        unnest(range(1, {{ attribute_plan.entry_count + 1 }})) as entry_number,
                        unnest(cast([{{ attribute_plan.literals.convention_hint | join(', ') }}] as varchar[]))
                            as convention_hint
                ) as entries
                left outer join (
                    select
                        match_value,
                        min(rule_priority) as rule_priority
                    from convention_rules
                    where match_on = 'attribute_hint'
                    group by match_value
                ) as hint_rules
                    on entries.convention_hint = hint_rules.match_value
            ) as hint_priorities,
            (
                select map_from_entries(list(struct_pack(key := role_keys.role_key, value := role_keys.rule_priority)))
                from (
                    select
                        [concept, lower(concept_value)] as role_key,
                        min(rule_priority) as rule_priority
                    from span_roles
                    {#- A rule matches a value only by equality, as in the portable path's join. #}
                    where concept is not null and concept_value is not null
                    group by concept, lower(concept_value)
                ) as role_keys
            ) as role_priorities

    ),

    {# One row per span of the window with the pivoted concepts (`<concept>_text`, the value of the concept's first
        entry) and the lowest hint and role priorities its attributes trigger: what otel_pivot_concepts computes
        from the attribute rows, read here from the span's own lists, so no join and no regrouping. #}
    spans as (

        select
            listed.* exclude (entry_concepts),
            {%- for concept in otel_text_concepts() %}
                {%- if concept in attribute_plan.concepts %}
                    listed.attribute_entry_values[
                        list_position(listed.entry_concepts, {{ attribute_plan.concepts.index(concept) + 1 }})
                    ] as {{ concept }}_text,
                {%- else %}
                    cast(null as varchar) as {{ concept }}_text,
                {%- endif %}
            {%- endfor %}
            list_min(list_select(entry_rules.hint_priorities, listed.attribute_entry_numbers))
                as convention_hint_priority,
            list_min(list_transform(
                list_filter(
                    range(1, len(listed.entry_concepts) + 1),
                    lambda position: position = 1
                    or listed.entry_concepts[position] != listed.entry_concepts[position - 1]
                ),
                lambda position: entry_rules.role_priorities[[
                    [{{ attribute_plan.concept_literals | join(', ') }}][
                        listed.entry_concepts[position]
                    ],
                    lower(listed.attribute_entry_values[position])
                ]]
            )) as role_rule_priority
        from (
            select
                stg_spans.*,
                list_select(
                    [{{ attribute_plan.concept_numbers | join(', ') }}], stg_spans.attribute_entry_numbers
                ) as entry_concepts
            from {{ ref('stg_otel__spans') }} as stg_spans
            where {{ incremental_window_filter('stg_spans.trace_date', window) }}
        ) as listed
        cross join entry_rules

    ),
{%- endif %}

{# The lowest scope rule per distinct scope name (a handful of rows). #}
scope_conventions as (

    select
        scopes.scope_name,
        min(convention_rules.rule_priority) as scope_rule_priority
    from (
        select distinct scope_name
        from {{ ref('stg_otel__spans') }}
        where scope_name is not null and {{ incremental_window_filter('trace_date', window) }}
    ) as scopes
    inner join convention_rules
        on
            (convention_rules.match_on = 'scope_name' and scopes.scope_name = convention_rules.match_value)
            or (
                convention_rules.match_on = 'scope_prefix'
                and {{ dbt.position('convention_rules.match_value', 'scopes.scope_name') }} = 1
            )
    group by scopes.scope_name

),

{# Input-basis rules by (convention, provider) and by convention for provider `*`: the lowest of the two wins. #}
basis_provider_rules as (

    select
        convention,
        provider,
        min(rule_priority) as rule_priority
    from input_basis_rules
    where provider != '*'
    group by convention, provider

),

basis_any_provider_rules as (

    select
        convention,
        min(rule_priority) as rule_priority
    from input_basis_rules
    where provider = '*'
    group by convention

),

typed as (

    select
        spans.*,
        coalesce(convention_rule.convention, 'unknown') as convention,
        coalesce(role_rule.span_role, 'non_model') as span_role,
        nullif(role_rule.wrapper_reason, '') as wrapper_reason,
        nullif(role_rule.operation_name, '') as operation_name,
        {{ pivot }}.provider_text as provider_raw,
        coalesce(
            provider_map.provider,
            provider_prefix_map.provider,
            lower({{ pivot }}.provider_text),
            scope_providers.provider
        ) as provider,
        coalesce(
            {{ pivot }}.region_text,
            endpoint_regions.region,
            {{ endpoint_region_from_host(pivot ~ '.server_address_text') }}
        ) as region,
        coalesce(
            {{ json_extract_text(pivot ~ '.invocation_parameters_text', 'model') }},
            {{ pivot }}.request_model_text
        ) as request_model,
        {{ pivot }}.response_model_text as response_model,
        coalesce({{ pivot }}.response_model_text, {{ pivot }}.request_model_text) as pricing_model,
        {{ pivot }}.response_id_text as response_id,
        {{ try_cast(pivot ~ '.is_streaming_text', 'boolean') }} as is_streaming,
        {{ try_cast(pivot ~ '.batch_flag_text', 'boolean') }} as batch_flag,
        {{ pivot }}.service_tier_raw_text as service_tier_raw,
        service_tiers.service_tier as reported_service_tier,
        coalesce(
            {{ try_cast(pivot ~ '.time_to_first_chunk_seconds_text', type_double()) }} * 1000,
            {{ try_cast(pivot ~ '.time_to_first_chunk_ms_text', type_double()) }}
        ) as time_to_first_token_ms,
        {{ pivot }}.error_type_text as error_type,
        {{ pivot }}.server_address_text as server_address,
        {{ pivot }}.task_outcome_text as task_outcome,
        {%- for dimension in otel_inherited_dimensions() %}
            {{ pivot }}.{{ dimension }}_text as own_{{ dimension }},
        {%- endfor %}
        {{ pivot }}.langfuse_usage_details_text is not null as has_langfuse_usage_details,
        {%- for concept in otel_token_concepts() %}
            {{ pivot }}.{{ concept }}_text as {{ concept }}_reported_text,
            {{ try_cast(pivot ~ '.' ~ concept ~ '_text', 'bigint') }} as {{ concept }}_attribute,
        {%- endfor %}
        {%- for concept, json_key in langfuse_keys.items() %}
            {{ try_cast(json_extract_text(pivot ~ '.langfuse_usage_details_text', json_key), 'bigint') }}
                as langfuse_{{ concept }},
        {%- endfor %}
        case
            {%- for concept in otel_token_concepts() %}
                when
                    {{ pivot }}.{{ concept }}_text is not null
                    and coalesce({{ try_cast(pivot ~ '.' ~ concept ~ '_text', 'bigint') }}, -1) < 0 then '{{ concept }}'
            {%- endfor %}
        end as bad_token_concept
    {#- sqlfluff's layout rule misreads a join inside an if block (LT02). #}
    from spans -- noqa: LT02
    {%- if attribute_plan is none %}
    left outer join pivoted
        on spans.span_occurrence_id = pivoted.span_occurrence_id -- noqa: LT02
    {%- endif %}
    left outer join scope_conventions
        on spans.scope_name = scope_conventions.scope_name
    left outer join convention_rules as convention_rule
        on convention_rule.rule_priority = {{
            lowest_of(pivot ~ '.convention_hint_priority', 'scope_conventions.scope_rule_priority')
        }}
    left outer join span_roles as role_rule
        on {{ pivot }}.role_rule_priority = role_rule.rule_priority
    left outer join provider_map
        on lower({{ pivot }}.provider_text) = provider_map.raw_provider
    left outer join provider_map as provider_prefix_map
        on lower({{ dbt.split_part(pivot ~ '.provider_text', "'.'", 1) }}) = provider_prefix_map.raw_provider
    left outer join scope_providers
        on spans.scope_name = scope_providers.scope_name
    left outer join endpoint_regions
        on lower({{ pivot }}.server_address_text) = endpoint_regions.server_address
    left outer join service_tiers
        on lower({{ pivot }}.service_tier_raw_text) = service_tiers.raw_service_tier

),

usage_resolved as (

    select
        typed.*,
        coalesce(typed.input_tokens_attribute, typed.langfuse_input_tokens) as input_reported_tokens,
        typed.input_tokens_attribute is null and typed.langfuse_input_tokens is not null as is_input_from_langfuse,
        coalesce(
            typed.output_tokens_attribute,
            typed.langfuse_output_excluding_reasoning_tokens + coalesce(typed.langfuse_reasoning_tokens, 0)
        )
            as output_reported_tokens,
        coalesce(typed.cache_read_tokens_attribute, typed.langfuse_cache_read_tokens) as cache_read_reported_tokens,
        coalesce(typed.cache_write_5m_tokens_attribute, typed.langfuse_cache_write_5m_tokens)
            as cache_write_5m_split_tokens,
        coalesce(typed.cache_write_1h_tokens_attribute, typed.langfuse_cache_write_1h_tokens)
            as cache_write_1h_split_tokens,
        coalesce(typed.cache_write_tokens_attribute, typed.langfuse_cache_write_tokens)
            as cache_write_total_reported_tokens,
        coalesce(typed.reasoning_tokens_attribute, typed.langfuse_reasoning_tokens) as reasoning_reported_tokens
    from typed

),

cache_write_resolved as (

    select
        usage_resolved.*,
        case
            when
                usage_resolved.cache_write_total_reported_tokens is null
                and usage_resolved.cache_write_5m_split_tokens is null
                and usage_resolved.cache_write_1h_split_tokens is null then null
            else {{ otel_greatest([
                'coalesce(cache_write_total_reported_tokens, 0)',
                'coalesce(cache_write_5m_split_tokens, 0) + coalesce(cache_write_1h_split_tokens, 0)'
            ]) }}
        end as cache_write_reported_tokens
    from usage_resolved

),

with_basis as (

    select
        cache_write_resolved.*,
        basis_rule.input_basis as rule_input_basis,
        coalesce(cache_write_resolved.cache_read_reported_tokens, 0)
        + coalesce(cache_write_resolved.cache_write_reported_tokens, 0) as cache_reported_tokens,
        case
            when cache_write_resolved.input_reported_tokens is null then 'unknown'
            when cache_write_resolved.is_input_from_langfuse then 'cache_exclusive_corrected'
            when basis_rule.input_basis = 'cache_exclusive' then 'cache_exclusive_corrected'
            when
                cache_write_resolved.input_reported_tokens
                < coalesce(cache_write_resolved.cache_read_reported_tokens, 0)
                + coalesce(cache_write_resolved.cache_write_reported_tokens, 0) then 'cache_exclusive_corrected'
            when basis_rule.input_basis = 'cache_inclusive' then 'cache_inclusive'
            when
                coalesce(cache_write_resolved.cache_read_reported_tokens, 0)
                + coalesce(cache_write_resolved.cache_write_reported_tokens, 0) = 0 then 'cache_inclusive'
            else 'unknown'
        end as input_basis
    from cache_write_resolved
    left outer join basis_provider_rules
        on
            cache_write_resolved.convention = basis_provider_rules.convention
            and cache_write_resolved.provider = basis_provider_rules.provider
    left outer join basis_any_provider_rules
        on cache_write_resolved.convention = basis_any_provider_rules.convention
    left outer join input_basis_rules as basis_rule
        on basis_rule.rule_priority = {{
            lowest_of('basis_provider_rules.rule_priority', 'basis_any_provider_rules.rule_priority')
        }}

),

partitioned as (

    select
        with_basis.*,
        case
            when
                with_basis.input_reported_tokens is not null
                and (with_basis.output_reported_tokens is not null or with_basis.operation_name = 'embeddings')
                then 'reported'
            when
                with_basis.input_reported_tokens is not null or with_basis.output_reported_tokens is not null
                or with_basis.cache_read_reported_tokens is not null
                or with_basis.cache_write_reported_tokens is not null
                or with_basis.reasoning_reported_tokens is not null then 'partial'
            else 'missing'
        end as usage_status,
        case
            when
                with_basis.input_basis = 'cache_exclusive_corrected'
                then with_basis.input_reported_tokens + with_basis.cache_reported_tokens
            else with_basis.input_reported_tokens
        end as input_total_tokens,
        case
            when with_basis.input_basis = 'cache_exclusive_corrected' then with_basis.input_reported_tokens
            else with_basis.input_reported_tokens - with_basis.cache_reported_tokens
        end as input_uncached_tokens,
        with_basis.cache_read_reported_tokens as cache_read_tokens,
        case
            when
                with_basis.cache_write_5m_split_tokens is not null
                or ({{ is_default_5m }} and with_basis.cache_write_total_reported_tokens is not null)
                then
                    coalesce(with_basis.cache_write_5m_split_tokens, 0)
                    + {{ unsplit_cache_write if default_cache_write_duration == '5m' else '0' }}
        end as cache_write_5m_tokens,
        case
            when
                with_basis.cache_write_1h_split_tokens is not null
                or ({{ is_default_1h }} and with_basis.cache_write_total_reported_tokens is not null)
                then
                    coalesce(with_basis.cache_write_1h_split_tokens, 0)
                    + {{ unsplit_cache_write if default_cache_write_duration == '1h' else '0' }}
        end as cache_write_1h_tokens,
        with_basis.output_reported_tokens as output_tokens,
        with_basis.reasoning_reported_tokens as reasoning_tokens,
        with_basis.input_audio_tokens_attribute as input_audio_tokens,
        with_basis.output_audio_tokens_attribute as output_audio_tokens,
        with_basis.input_image_tokens_attribute as input_image_tokens
    from with_basis

),

final as (

    select
        span_occurrence_id,
        trace_id,
        span_id,
        parent_span_id,
        occurrence_number,
        is_redelivery,
        parse_problem,
        bad_token_concept,
        span_name,
        span_kind,
        status,
        status_message,
        scope_name,
        scope_version,
        started_at,
        ended_at,
        latency_ms,
        time_to_first_token_ms,
        convention,
        span_role,
        wrapper_reason,
        operation_name,
        provider_raw,
        provider,
        request_model,
        response_model,
        pricing_model,
        response_id,
        coalesce(is_streaming, false) as is_streaming,
        coalesce(batch_flag, false) or coalesce(reported_service_tier = 'batch', false) as is_batch,
        case
            when coalesce(batch_flag, false) then 'batch'
            else coalesce(reported_service_tier, 'standard')
        end as service_tier,
        service_tier_raw,
        error_type,
        status = 'error' or error_type is not null as is_error,
        server_address,
        region,
        task_outcome,
        {%- for dimension in otel_inherited_dimensions() %}
            own_{{ dimension }},
        {%- endfor %}
        usage_status,
        input_basis,
        rule_input_basis,
        input_reported_tokens,
        output_reported_tokens,
        cache_read_reported_tokens,
        cache_write_reported_tokens,
        reasoning_reported_tokens,
        input_total_tokens,
        input_uncached_tokens,
        cache_read_tokens,
        cache_write_5m_tokens,
        cache_write_1h_tokens,
        output_tokens,
        reasoning_tokens,
        input_audio_tokens,
        output_audio_tokens,
        input_image_tokens,
        {%- for concept in otel_token_concepts() %}
            {{ concept }}_attribute,
        {%- endfor %}
        source_file,
        source_line,
        span_index,
        loaded_at,
        trace_date,
        {{ incremental_metadata_columns(window) }}
    from partitioned

)

select * from final
{#- Reading the span's lists, every join's build side is a seed or a per-scope row, so the rows stream out in the
    order of stg_otel__spans, which is stored by date: at 2M spans the sort cost 5.5 s of 17.8 s for the same 2.8 dates
    per row group (docs/incremental.md, "Storage order"). The portable path's join to the regrouped attributes does
    not keep that order: it sorts. #}
{%- if attribute_plan is none %}
    {{ incremental_cluster_order('trace_date', window) }}
{%- endif %}
