"""ai_finops: LLM telemetry and provider invoices to trustworthy AI cost numbers."""

__version__ = "0.1.0"
