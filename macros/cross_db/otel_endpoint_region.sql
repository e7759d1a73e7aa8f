{#- Provider endpoint region read from a host name with a region in it (NULL otherwise):
    `bedrock-runtime.<region>.amazonaws.com` and `<region>-aiplatform.googleapis.com`. Hosts that do not carry their
    region (Azure OpenAI resources) are mapped by seed otel_endpoint_regions instead. -#}
{% macro endpoint_region_from_host(host_expression) -%}
    {{ return(adapter.dispatch('endpoint_region_from_host', 'ai_finops')(host_expression)) }}
{%- endmacro %}

{% macro default__endpoint_region_from_host(host_expression) -%}
    coalesce(
        {{ regex_extract(host_expression, "'^bedrock-runtime(?:-fips)?\\.([a-z0-9-]+)\\.amazonaws\\.com$'") }},
        {{ regex_extract(host_expression, "'^([a-z0-9-]+)-aiplatform\\.googleapis\\.com$'") }}
    )
{%- endmacro %}
