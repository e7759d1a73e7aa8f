"""Billing export readers (placeholder until the billing readers land). See docs/landing_contract.md."""

BILLING_KINDS: list = []
