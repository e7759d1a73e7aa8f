"""Static catalog of the demo: model deployments (what a call targets) and product features (what calls them)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class Deployment:
    key: str
    provider: str  # OTel provider name (gen_ai.provider.name)
    request_model: str  # as the app requests it (Azure: the deployment name; Bedrock: the inference profile id)
    response_model: str | None  # as the provider reports it; None when the provider does not echo a model
    model_id: str  # canonical genai-prices 0.2.3 model id (the key of prices.PRICE_TABLE)
    server_address: str
    region: str  # endpoint region used for billing ('' when the provider has none)
    operation: str  # chat | generate_content | embeddings
    reasoning: str  # '' | 'openai' (o-series / gpt-5 reasoning tokens) | 'thinking' (Claude extended thinking)
    cache: str  # '' | 'anthropic' (explicit cache writes then reads) | 'auto' (implicit prefix cache reads)
    tiers: tuple[str, ...] = ()  # non-standard service tiers this deployment may be called with


DEPLOYMENTS = {
    d.key: d
    for d in (
        Deployment("openai/gpt-4o", "openai", "gpt-4o", "gpt-4o-2024-08-06", "gpt-4o", "api.openai.com", "",
                   "chat", "", "auto", ("priority",)),
        Deployment("openai/gpt-4o-mini", "openai", "gpt-4o-mini", "gpt-4o-mini-2024-07-18", "gpt-4o-mini",
                   "api.openai.com", "", "chat", "", "auto", ("batch",)),
        Deployment("openai/gpt-5", "openai", "gpt-5", "gpt-5-2025-08-07", "gpt-5", "api.openai.com", "", "chat",
                   "openai", "auto", ("flex", "priority")),
        Deployment("openai/gpt-5-mini", "openai", "gpt-5-mini", "gpt-5-mini-2025-08-07", "gpt-5-mini",
                   "api.openai.com", "", "chat", "openai", "auto", ("batch", "flex")),
        Deployment("openai/o4-mini", "openai", "o4-mini", "o4-mini-2025-04-16", "o4-mini", "api.openai.com", "",
                   "chat", "openai", "auto", ("flex",)),
        Deployment("openai/gpt-5.6-sol", "openai", "gpt-5.6-sol", "gpt-5.6-sol-2026-06-10", "gpt-5.6-sol",
                   "api.openai.com", "", "chat", "", "auto"),
        Deployment("openai/text-embedding-3-small", "openai", "text-embedding-3-small", "text-embedding-3-small",
                   "text-embedding-3-small", "api.openai.com", "", "embeddings", "", ""),
        Deployment("anthropic/claude-sonnet-4-5", "anthropic", "claude-sonnet-4-5", "claude-sonnet-4-5-20250929",
                   "claude-sonnet-4-5", "api.anthropic.com", "", "chat", "thinking", "anthropic", ("batch",)),
        Deployment("anthropic/claude-haiku-4-5", "anthropic", "claude-haiku-4-5-20251001",
                   "claude-haiku-4-5-20251001", "claude-haiku-4-5", "api.anthropic.com", "", "chat", "", "anthropic",
                   ("batch",)),
        Deployment("anthropic/claude-opus-4-1", "anthropic", "claude-opus-4-1-20250805", "claude-opus-4-1-20250805",
                   "claude-opus-4-1", "api.anthropic.com", "", "chat", "thinking", "anthropic"),
        Deployment("bedrock/claude-sonnet-4-5", "aws.bedrock", "us.anthropic.claude-sonnet-4-5-20250929-v1:0", None,
                   "regional.anthropic.claude-sonnet-4-5-20250929-v1:0", "bedrock-runtime.us-east-1.amazonaws.com",
                   "us-east-1", "chat", "", "anthropic"),
        Deployment("bedrock/claude-haiku-4-5", "aws.bedrock", "global.anthropic.claude-haiku-4-5-20251001-v1:0", None,
                   "global.anthropic.claude-haiku-4-5-20251001-v1:0", "bedrock-runtime.us-west-2.amazonaws.com",
                   "us-west-2", "chat", "", "anthropic"),
        Deployment("vertex/gemini-2.5-pro", "gcp.vertex_ai", "gemini-2.5-pro", "gemini-2.5-pro", "gemini-2.5-pro",
                   "us-central1-aiplatform.googleapis.com", "us-central1", "generate_content", "", "auto"),
        Deployment("gemini/gemini-2.5-flash", "gcp.gemini", "models/gemini-2.5-flash", None, "gemini-2.5-flash",
                   "generativelanguage.googleapis.com", "", "generate_content", "", "auto", ("batch",)),
        Deployment("azure/gpt-4o", "azure.ai.openai", "prod-gpt-4o", "gpt-4o-2024-11-20", "gpt-4o",
                   "acme-ai-eastus.openai.azure.com", "eastus", "chat", "", "auto"),
        Deployment("azure/gpt-5-mini", "azure.ai.openai", "gpt5mini-eastus2", "gpt-5-mini-2025-08-07", "gpt-5-mini",
                   "acme-ai-eastus2.openai.azure.com", "eastus2", "chat", "openai", "auto"),
    )
}

# Long-context cliff thresholds of the models the long-document feature uses (see prices.py).
LONG_CONTEXT = {"claude-sonnet-4-5": 200_000, "gemini-2.5-pro": 200_000, "gpt-5.6-sol": 272_000}


@dataclass(frozen=True)
class Feature:
    feature_id: str
    feature_name: str
    team_id: str
    is_interactive: bool
    launch_offset_days: int  # relative to the window start (negative: launched before the window)
    route: str
    service: str
    structure: str  # chat | agent | rag | batch | longdoc
    weight: float
    deployments: tuple[tuple[str, float], ...]
    conventions: tuple[tuple[str, float], ...]
    input_tokens: tuple[int, int]
    output_tokens: tuple[int, int]
    fallback: str  # deployment key used when the primary one keeps failing

    def launched_date(self, start: date) -> date:
        return start + timedelta(days=self.launch_offset_days)


FEATURES = (
    Feature("support_copilot", "Support copilot", "team_support_ai", True, -400, "/api/v1/support/copilot",
            "support-api", "agent", 22,
            (("anthropic/claude-sonnet-4-5", 5), ("bedrock/claude-sonnet-4-5", 3), ("openai/gpt-4o", 2)),
            (("otel_genai_latest", 5), ("openllmetry_legacy", 3), ("openinference", 2)),
            (1500, 9000), (150, 900), "openai/gpt-4o"),
    Feature("ticket_triage", "Ticket triage", "team_support_ai", False, -300, "/api/v1/support/triage",
            "support-worker", "chat", 14,
            (("anthropic/claude-haiku-4-5", 4), ("bedrock/claude-haiku-4-5", 3), ("openai/gpt-4o-mini", 3)),
            (("openllmetry_legacy", 4), ("otel_genai_latest", 4), ("langfuse", 2)),
            (800, 4000), (40, 300), "openai/gpt-4o-mini"),
    Feature("knowledge_search", "Knowledge search answers", "team_knowledge", True, -500, "/api/v1/search/answer",
            "search-api", "rag", 16,
            (("openai/gpt-4o-mini", 4), ("gemini/gemini-2.5-flash", 3), ("azure/gpt-4o", 2)),
            (("otel_genai_latest", 5), ("otel_genai_legacy", 3), ("openinference", 2)),
            (1200, 7000), (100, 700), "openai/gpt-4o-mini"),
    Feature("doc_summarizer", "Document summarizer", "team_knowledge", True, -200, "/api/v1/docs/summarize",
            "docs-api", "longdoc", 8,
            (("vertex/gemini-2.5-pro", 4), ("anthropic/claude-sonnet-4-5", 3), ("openai/gpt-5.6-sol", 3)),
            (("otel_genai_latest", 7), ("openinference", 3)),
            (6000, 60000), (300, 2500), "openai/gpt-5.6-sol"),
    Feature("code_review", "Code review assistant", "team_devtools", True, -150, "/api/v1/code/review",
            "devtools-api", "agent", 12,
            (("openai/gpt-5", 4), ("openai/o4-mini", 3), ("anthropic/claude-opus-4-1", 2)),
            (("vercel_v6", 5), ("otel_genai_latest", 3), ("langfuse", 2)),
            (3000, 20000), (400, 4000), "openai/o4-mini"),
    Feature("email_writer", "Sales email writer", "team_growth", True, -250, "/api/v1/growth/email",
            "web-bff", "chat", 12,
            (("openai/gpt-4o-mini", 5), ("anthropic/claude-haiku-4-5", 4)),
            (("vercel_v4", 5), ("vercel_v6", 3), ("langfuse", 2)),
            (500, 2500), (150, 600), "openai/gpt-4o-mini"),
    Feature("meeting_notes", "Meeting notes", "team_growth", True, -90, "/api/v1/meetings/notes",
            "meetings-api", "chat", 10,
            (("azure/gpt-4o", 5), ("azure/gpt-5-mini", 5)),
            (("otel_genai_latest", 4), ("otel_genai_legacy", 3), ("openinference", 3)),
            (4000, 16000), (300, 1500), "azure/gpt-4o"),
    Feature("nightly_digest", "Nightly account digest", "team_devtools", False, 9, "/internal/jobs/digest",
            "digest-worker", "batch", 6,
            (("openai/gpt-5-mini", 4), ("anthropic/claude-haiku-4-5", 3), ("gemini/gemini-2.5-flash", 3)),
            (("otel_genai_latest", 6), ("langfuse", 4)),
            (2000, 12000), (200, 1200), "openai/gpt-5-mini"),
)
