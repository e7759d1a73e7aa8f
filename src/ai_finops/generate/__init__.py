"""Deterministic demo/test data generator (OTLP spans, business tables, billing exports, ground truth)."""
