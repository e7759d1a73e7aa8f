{#- One row per raw span occurrence: the seed-matched attributes pivoted into typed concepts, the convention, the
    span role, the token partition, and the dimensions inherited from the nearest ancestor, then the trace.
    Inheritance walks up at most var otel_max_ancestor_depth ancestors: a recursive CTE on DuckDB and PostgreSQL,
    one self-join per level on Spark; the same result (the unit tests run on every engine). -#}

{{ config(**incremental_by_date('trace_date')) }}
{%- set window = incremental_window('trace_date') -%}
{%- set max_depth = var('otel_max_ancestor_depth') | int -%}
{%- set default_cache_write_duration = var('default_cache_write_duration') -%}
{%- if default_cache_write_duration not in ('5m', '1h') -%}
    {{ exceptions.raise_compiler_error("var default_cache_write_duration must be '5m' or '1h', got " ~ default_cache_write_duration) }}
{%- endif -%}
{%- set langfuse_keys = otel_langfuse_usage_keys() -%}
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
with{{ ' recursive' if target.type != 'spark' }}

spans as (

    select * from {{ ref('stg_otel__spans') }}
    where {{ incremental_window_filter('trace_date', window) }}

),

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

pivoted as (

    {{ otel_pivot_concepts(ref('stg_otel__span_attributes'), incremental_window_filter('trace_date', window)) }}

),

convention_candidates as (

    select
        hinted.span_occurrence_id,
        convention_rules.rule_priority,
        convention_rules.convention
    from (
        select distinct
            span_occurrence_id,
            convention_hint
        from {{ ref('stg_otel__span_attributes') }}
        where convention_hint is not null and {{ incremental_window_filter('trace_date', window) }}
    ) as hinted
    inner join convention_rules
        on
            convention_rules.match_on = 'attribute_hint'
            and hinted.convention_hint = convention_rules.match_value

    union all

    select
        spans.span_occurrence_id,
        convention_rules.rule_priority,
        convention_rules.convention
    from {{ ref('stg_otel__spans') }} as spans
    inner join convention_rules
        on
            (convention_rules.match_on = 'scope_name' and spans.scope_name = convention_rules.match_value)
            or (
                convention_rules.match_on = 'scope_prefix'
                and {{ dbt.position('convention_rules.match_value', 'spans.scope_name') }} = 1
            )
    where {{ incremental_window_filter('spans.trace_date', window) }}

),

conventions as (

    select
        span_occurrence_id,
        convention
    from (
        select
            span_occurrence_id,
            convention,
            row_number() over (partition by span_occurrence_id order by rule_priority) as rule_rank
        from convention_candidates
    ) as ranked
    where rule_rank = 1

),

role_candidates as (

    select
        span_attributes.span_occurrence_id,
        span_roles.rule_priority,
        span_roles.span_role,
        nullif(span_roles.wrapper_reason, '') as wrapper_reason,
        nullif(span_roles.operation_name, '') as operation_name
    from {{ ref('stg_otel__span_attributes') }} as span_attributes
    inner join span_roles
        on
            span_attributes.concept = span_roles.concept
            and lower(span_attributes.attribute_value) = lower(span_roles.concept_value)
    where span_attributes.concept_rank = 1 and {{ incremental_window_filter('span_attributes.trace_date', window) }}

),

roles as (

    select
        span_occurrence_id,
        span_role,
        wrapper_reason,
        operation_name
    from (
        select
            role_candidates.*,
            row_number()
                over (partition by role_candidates.span_occurrence_id order by role_candidates.rule_priority)
                as rule_rank
        from role_candidates
    ) as ranked
    where rule_rank = 1

),

typed as (

    select
        spans.*,
        coalesce(conventions.convention, 'unknown') as convention,
        coalesce(roles.span_role, 'non_model') as span_role,
        roles.wrapper_reason,
        roles.operation_name,
        pivoted.provider_text as provider_raw,
        coalesce(
            provider_map.provider,
            provider_prefix_map.provider,
            lower(pivoted.provider_text),
            scope_providers.provider
        ) as provider,
        coalesce(
            pivoted.region_text,
            endpoint_regions.region,
            {{ endpoint_region_from_host('pivoted.server_address_text') }}
        ) as region,
        coalesce(
            {{ json_extract_text('pivoted.invocation_parameters_text', 'model') }},
            pivoted.request_model_text
        ) as request_model,
        pivoted.response_model_text as response_model,
        coalesce(pivoted.response_model_text, pivoted.request_model_text) as pricing_model,
        pivoted.response_id_text as response_id,
        {{ try_cast('pivoted.is_streaming_text', 'boolean') }} as is_streaming,
        {{ try_cast('pivoted.batch_flag_text', 'boolean') }} as batch_flag,
        pivoted.service_tier_raw_text as service_tier_raw,
        service_tiers.service_tier as reported_service_tier,
        coalesce(
            {{ try_cast('pivoted.time_to_first_chunk_seconds_text', type_double()) }} * 1000,
            {{ try_cast('pivoted.time_to_first_chunk_ms_text', type_double()) }}
        ) as time_to_first_token_ms,
        pivoted.error_type_text as error_type,
        pivoted.server_address_text as server_address,
        pivoted.task_outcome_text as task_outcome,
        {%- for dimension in otel_inherited_dimensions() %}
            pivoted.{{ dimension }}_text as own_{{ dimension }},
        {%- endfor %}
        pivoted.langfuse_usage_details_text is not null as has_langfuse_usage_details,
        {%- for concept in otel_token_concepts() %}
            pivoted.{{ concept }}_text as {{ concept }}_reported_text,
            {{ try_cast('pivoted.' ~ concept ~ '_text', 'bigint') }} as {{ concept }}_attribute,
        {%- endfor %}
        {%- for concept, json_key in langfuse_keys.items() %}
            {{ try_cast(json_extract_text('pivoted.langfuse_usage_details_text', json_key), 'bigint') }}
                as langfuse_{{ concept }},
        {%- endfor %}
        case
            {%- for concept in otel_token_concepts() %}
                when
                    pivoted.{{ concept }}_text is not null
                    and coalesce({{ try_cast('pivoted.' ~ concept ~ '_text', 'bigint') }}, -1) < 0 then '{{ concept }}'
            {%- endfor %}
        end as bad_token_concept
    from spans
    left outer join pivoted
        on spans.span_occurrence_id = pivoted.span_occurrence_id
    left outer join conventions
        on spans.span_occurrence_id = conventions.span_occurrence_id
    left outer join roles
        on spans.span_occurrence_id = roles.span_occurrence_id
    left outer join provider_map
        on lower(pivoted.provider_text) = provider_map.raw_provider
    left outer join provider_map as provider_prefix_map
        on lower({{ dbt.split_part('pivoted.provider_text', "'.'", 1) }}) = provider_prefix_map.raw_provider
    left outer join scope_providers
        on spans.scope_name = scope_providers.scope_name
    left outer join endpoint_regions
        on lower(pivoted.server_address_text) = endpoint_regions.server_address
    left outer join service_tiers
        on lower(pivoted.service_tier_raw_text) = service_tiers.raw_service_tier

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

basis_candidates as (

    select
        cache_write_resolved.span_occurrence_id,
        input_basis_rules.input_basis,
        row_number() over (
            partition by cache_write_resolved.span_occurrence_id order by input_basis_rules.rule_priority
        ) as rule_rank
    from cache_write_resolved
    inner join input_basis_rules
        on
            cache_write_resolved.convention = input_basis_rules.convention
            and (input_basis_rules.provider = '*' or cache_write_resolved.provider = input_basis_rules.provider)

),

with_basis as (

    select
        cache_write_resolved.*,
        basis_candidates.input_basis as rule_input_basis,
        coalesce(cache_write_resolved.cache_read_reported_tokens, 0)
        + coalesce(cache_write_resolved.cache_write_reported_tokens, 0) as cache_reported_tokens,
        case
            when cache_write_resolved.input_reported_tokens is null then 'unknown'
            when cache_write_resolved.is_input_from_langfuse then 'cache_exclusive_corrected'
            when basis_candidates.input_basis = 'cache_exclusive' then 'cache_exclusive_corrected'
            when
                cache_write_resolved.input_reported_tokens
                < coalesce(cache_write_resolved.cache_read_reported_tokens, 0)
                + coalesce(cache_write_resolved.cache_write_reported_tokens, 0) then 'cache_exclusive_corrected'
            when basis_candidates.input_basis = 'cache_inclusive' then 'cache_inclusive'
            when
                coalesce(cache_write_resolved.cache_read_reported_tokens, 0)
                + coalesce(cache_write_resolved.cache_write_reported_tokens, 0) = 0 then 'cache_inclusive'
            else 'unknown'
        end as input_basis
    from cache_write_resolved
    left outer join basis_candidates
        on
            cache_write_resolved.span_occurrence_id = basis_candidates.span_occurrence_id
            and basis_candidates.rule_rank = 1

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

{# Ancestor walk over first deliveries of well-identified spans: up to max_depth ancestors per span. #}
walk_base as (

    select
        trace_id,
        span_id,
        parent_span_id,
        span_role,
        {%- for dimension in otel_inherited_dimensions() %}
            own_{{ dimension }},
        {%- endfor %}
        started_at
    from partitioned
    where
        occurrence_number = 1
        and trace_id is not null
        and span_id is not null

),

{%- if target.type == 'spark' %}

    {# Spark: one self-join per level, unrolled (no recursive CTE in dbt-spark's statements). Level n knows the n
        nearest ancestors. Spark inlines a CTE at every reference, so the levels join walk_base itself. #}
    walk_level_0 as (

        select
            trace_id,
            span_id,
            parent_span_id as cursor_span_id,
            span_id as root_span_id,
            0 as ancestor_depth,
            cast(null as {{ dbt.type_string() }}) as nearest_model_call_ancestor_span_id,
            {%- for dimension in otel_inherited_dimensions() %}
                own_{{ dimension }} as inherited_{{ dimension }},
            {%- endfor %}
            cast(null as {{ dbt.type_string() }}) as nearest_wrapper_ancestor_span_id
        from walk_base

    ),

    {%- for level in range(1, max_depth + 1) %}

        walk_level_{{ level }} as (

            select
                walk.trace_id,
                walk.span_id,
                ancestor.parent_span_id as cursor_span_id,
                coalesce(ancestor.span_id, walk.root_span_id) as root_span_id,
                walk.ancestor_depth + case when ancestor.span_id is not null then 1 else 0 end as ancestor_depth,
                coalesce(
                    walk.nearest_model_call_ancestor_span_id,
                    case when ancestor.span_role = 'model_call' then ancestor.span_id end
                ) as nearest_model_call_ancestor_span_id,
                {%- for dimension in otel_inherited_dimensions() %}
                    coalesce(walk.inherited_{{ dimension }}, ancestor.own_{{ dimension }}) as inherited_{{ dimension }},
                {%- endfor %}
                coalesce(
                    walk.nearest_wrapper_ancestor_span_id,
                    case when ancestor.span_role = 'wrapper' then ancestor.span_id end
                ) as nearest_wrapper_ancestor_span_id
            from walk_level_{{ level - 1 }} as walk
            left outer join walk_base as ancestor
                on
                    walk.trace_id = ancestor.trace_id
                    and walk.cursor_span_id = ancestor.span_id

        ),
    {%- endfor %}

    {#- A span whose walk ran out of levels with its parent still delivered is more than max_depth below its root
        (or in a parent loop): it gets no walk row, as on the other engines. #}
    walk as (

        select walk.*
        from walk_level_{{ max_depth }} as walk
        left outer join walk_base as beyond
            on
                walk.trace_id = beyond.trace_id
                and walk.cursor_span_id = beyond.span_id
        where beyond.span_id is null

    ),

{%- else %}

    {# DuckDB and PostgreSQL: a recursive CTE walking down from the roots (spans whose parent is not delivered), one
        level per iteration, so it stops at the data's real depth and each span is written once with what it inherits.
        The unrolled joins held max_depth hash tables of all parent spans at once: at 10M spans that spilled tens of
        GB. A span more than max_depth below its root (or in a parent loop) is not reached: it gets no walk row. #}
    walk as (

        select
            trace_id,
            span_id,
            span_role,
            span_id as root_span_id,
            0 as ancestor_depth,
            cast(null as {{ dbt.type_string() }}) as nearest_model_call_ancestor_span_id,
            {%- for dimension in otel_inherited_dimensions() %}
                own_{{ dimension }} as inherited_{{ dimension }},
            {%- endfor %}
            cast(null as {{ dbt.type_string() }}) as nearest_wrapper_ancestor_span_id
        from walk_base
        where
            parent_span_id is null
            or not exists (
                select 1
                from walk_base as parent
                where
                    parent.trace_id = walk_base.trace_id
                    and parent.span_id = walk_base.parent_span_id
            )

        union all

        select
            child.trace_id,
            child.span_id,
            child.span_role,
            walk.root_span_id,
            walk.ancestor_depth + 1 as ancestor_depth,
            case
                when walk.span_role = 'model_call' then walk.span_id else walk.nearest_model_call_ancestor_span_id
            end as nearest_model_call_ancestor_span_id,
            {%- for dimension in otel_inherited_dimensions() %}
                coalesce(child.own_{{ dimension }}, walk.inherited_{{ dimension }}) as inherited_{{ dimension }},
            {%- endfor %}
            case
                when walk.span_role = 'wrapper' then walk.span_id else walk.nearest_wrapper_ancestor_span_id
            end as nearest_wrapper_ancestor_span_id
        from walk
        inner join walk_base as child
            on
                walk.trace_id = child.trace_id
                and walk.span_id = child.parent_span_id
        where walk.ancestor_depth < {{ max_depth }}

    ),

{%- endif %}

trace_dimensions as (

    select
        {%- for dimension in otel_inherited_dimensions() %}
            min(own_{{ dimension }}) as trace_{{ dimension }},
        {%- endfor %}
        trace_id
    from walk_base
    group by trace_id

),

final as (

    select
        partitioned.span_occurrence_id,
        partitioned.trace_id,
        partitioned.span_id,
        partitioned.parent_span_id,
        partitioned.occurrence_number,
        partitioned.is_redelivery,
        partitioned.parse_problem,
        partitioned.bad_token_concept,
        partitioned.span_name,
        partitioned.span_kind,
        partitioned.status,
        partitioned.status_message,
        partitioned.scope_name,
        partitioned.scope_version,
        partitioned.started_at,
        partitioned.ended_at,
        partitioned.latency_ms,
        partitioned.time_to_first_token_ms,
        partitioned.convention,
        partitioned.span_role,
        partitioned.wrapper_reason,
        partitioned.operation_name,
        partitioned.provider_raw,
        partitioned.provider,
        partitioned.request_model,
        partitioned.response_model,
        partitioned.pricing_model,
        partitioned.response_id,
        coalesce(partitioned.is_streaming, false) as is_streaming,
        coalesce(partitioned.batch_flag, false)
        or coalesce(partitioned.reported_service_tier = 'batch', false) as is_batch,
        case
            when coalesce(partitioned.batch_flag, false) then 'batch'
            else coalesce(partitioned.reported_service_tier, 'standard')
        end as service_tier,
        partitioned.service_tier_raw,
        partitioned.error_type,
        partitioned.status = 'error' or partitioned.error_type is not null as is_error,
        partitioned.server_address,
        partitioned.region,
        partitioned.task_outcome,
        walk.root_span_id,
        walk.ancestor_depth,
        walk.span_id is null
        and partitioned.trace_id is not null
        and partitioned.span_id is not null as is_ancestor_walk_truncated,
        walk.nearest_model_call_ancestor_span_id,
        walk.nearest_wrapper_ancestor_span_id,
        {%- for dimension in otel_inherited_dimensions() %}
            coalesce(
                walk.inherited_{{ dimension }}, trace_dimensions.trace_{{ dimension }}, partitioned.own_{{ dimension }}
            )
                as {{ dimension }},
        {%- endfor %}
        partitioned.usage_status,
        partitioned.input_basis,
        partitioned.rule_input_basis,
        partitioned.input_reported_tokens,
        partitioned.output_reported_tokens,
        partitioned.cache_read_reported_tokens,
        partitioned.cache_write_reported_tokens,
        partitioned.reasoning_reported_tokens,
        partitioned.input_total_tokens,
        partitioned.input_uncached_tokens,
        partitioned.cache_read_tokens,
        partitioned.cache_write_5m_tokens,
        partitioned.cache_write_1h_tokens,
        partitioned.output_tokens,
        partitioned.reasoning_tokens,
        partitioned.input_audio_tokens,
        partitioned.output_audio_tokens,
        partitioned.input_image_tokens,
        {%- for concept in otel_token_concepts() %}
            partitioned.{{ concept }}_attribute,
        {%- endfor %}
        partitioned.source_file,
        partitioned.source_line,
        partitioned.span_index,
        partitioned.loaded_at,
        partitioned.trace_date,
        {{ incremental_metadata_columns(window) }}
    from partitioned
    left outer join walk
        on
            partitioned.trace_id = walk.trace_id
            and partitioned.span_id = walk.span_id
    left outer join trace_dimensions
        on partitioned.trace_id = trace_dimensions.trace_id

)

select * from final
