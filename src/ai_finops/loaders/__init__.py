"""Raw loaders: OTLP JSON lines, business CSVs and billing exports into the raw landing tables."""
