{#- The concepts pivoted out of the matched attributes (the keys that carry them live in seed otel_attribute_keys).
    Concept names are schema: each becomes a `<concept>_text` column of int_otel_spans_enriched. -#}
{% macro otel_text_concepts() -%}
    {{ return([
        'provider', 'operation_name', 'openinference_span_kind', 'llm_request_type', 'ai_operation_id',
        'langfuse_observation_type', 'traceloop_span_kind', 'request_model', 'response_model', 'response_id',
        'langfuse_usage_details', 'invocation_parameters', 'is_streaming', 'time_to_first_chunk_seconds', 'time_to_first_chunk_ms',
        'error_type', 'server_address', 'service_tier_raw', 'batch_flag', 'customer_id', 'feature_id', 'team_id',
        'task_id', 'task_outcome', 'user_id', 'session_id', 'request_path', 'environment', 'service_name', 'region'
    ] + otel_token_concepts()) }}
{%- endmacro %}

{#- Token-count concepts: read as text, cast to bigint; a value that does not cast (or is negative) quarantines the span. -#}
{% macro otel_token_concepts() -%}
    {{ return([
        'input_tokens', 'output_tokens', 'cache_read_tokens', 'cache_write_tokens', 'cache_write_5m_tokens',
        'cache_write_1h_tokens', 'reasoning_tokens', 'input_audio_tokens', 'output_audio_tokens', 'input_image_tokens'
    ]) }}
{%- endmacro %}

{#- Langfuse usage_details JSON keys (Langfuse's own partition: input is uncached, output excludes reasoning),
    mapped to the concept they feed. These are keys of a Langfuse JSON value, not attribute keys. -#}
{% macro otel_langfuse_usage_keys() -%}
    {{ return({
        'input_tokens': 'input',
        'cache_read_tokens': 'input_cached_tokens',
        'cache_write_tokens': 'input_cache_creation',
        'cache_write_5m_tokens': 'input_cache_creation_5m',
        'cache_write_1h_tokens': 'input_cache_creation_1h',
        'output_excluding_reasoning_tokens': 'output',
        'reasoning_tokens': 'output_reasoning_tokens'
    }) }}
{%- endmacro %}

{#- Dimensions that a call inherits from its nearest ancestor, then from the trace, when it does not carry them. -#}
{% macro otel_inherited_dimensions() -%}
    {{ return(['customer_id', 'feature_id', 'team_id', 'user_id', 'session_id', 'task_id', 'request_path', 'environment', 'service_name']) }}
{%- endmacro %}


{#- One row per span occurrence of `relation` (the matched attribute rows, each with the convention-hint and role rule
    priorities it triggers): a `<concept>_text` column per concept from the rank-1 rows, and the lowest convention-hint
    and role rule priority of the span. One aggregate, so the model joins one per-span table to the spans, not three:
    three 1M-row hash joins probed in one pipeline ran DuckDB out of memory where one spills.
    Portable: one max(case ...) aggregate per concept. DuckDB: two list aggregates per span, then one list lookup per
    concept; forty string aggregates per group made DuckDB spill gigabytes at 1M spans under the 3GB memory_limit. -#}
{% macro otel_pivot_concepts(relation) -%}
    {{ return(adapter.dispatch('otel_pivot_concepts', 'ai_finops')(relation)) }}
{%- endmacro %}

{% macro default__otel_pivot_concepts(relation) -%}
    select
        {%- for concept in otel_text_concepts() %}
            max(case when concept_rank = 1 and concept = '{{ concept }}' then attribute_value end) as {{ concept }}_text,
        {%- endfor %}
        min(convention_hint_priority) as convention_hint_priority,
        min(role_rule_priority) as role_rule_priority,
        span_occurrence_id
    from {{ relation }}
    group by span_occurrence_id
{%- endmacro %}

{% macro duckdb__otel_pivot_concepts(relation) -%}
    select
        {%- for concept in otel_text_concepts() %}
            concept_values[list_position(concept_names, '{{ concept }}')] as {{ concept }}_text,
        {%- endfor %}
        convention_hint_priority,
        role_rule_priority,
        span_occurrence_id
    from (
        select
            span_occurrence_id,
            list(concept) filter (where concept_rank = 1) as concept_names,
            list(attribute_value) filter (where concept_rank = 1) as concept_values,
            min(convention_hint_priority) as convention_hint_priority,
            min(role_rule_priority) as role_rule_priority
        from {{ relation }}
        group by span_occurrence_id
    ) as listed
{%- endmacro %}
