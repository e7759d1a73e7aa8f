"""Provider billing exports consistent with the generated traffic (placeholder until the billing generator lands)."""

from pathlib import Path


def write_billing_exports(out_dir: Path, seed: int) -> list[Path]:
    """Write billing exports under out_dir/billing from out_dir/ground_truth/calls.csv; returns the files written."""
    raise NotImplementedError("billing export generator not implemented yet")
