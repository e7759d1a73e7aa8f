"""The one command-line entry point: `ai-finops <command>`.

Each command lives in its own module exposing `add_arguments(parser)` and `run(args) -> int`;
modules are imported lazily so that `ai-finops generate` does not pay for dbt's import time.
"""

from __future__ import annotations

import argparse
import importlib
import sys

COMMANDS = {
    "generate": ("ai_finops.generate.cli", "generate a deterministic demo/test dataset (OTLP spans, app tables, billing, ground truth)"),
    "load": ("ai_finops.loaders.cli", "load OTLP JSON lines, app CSVs and billing exports into the raw tables"),
    "build": ("ai_finops.dbt_runner", "run `dbt build` for a target with the project's profiles"),
    "summary": ("ai_finops.summary", "print a short summary from the marts"),
    "demo": ("ai_finops.demo", "generate, load, build on embedded DuckDB and print the summary"),
    "ratecard": ("ai_finops.ratecard", "compare the rate-card seeds with genai-prices (check) or propose rows (propose)"),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="ai-finops", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for name, (module_name, help_text) in COMMANDS.items():
        command_parser = sub.add_parser(name, help=help_text, description=help_text)
        command_parser.set_defaults(_module=module_name)
        # Arguments are added only for the chosen command, to keep imports lazy.
        if name in (argv if argv is not None else sys.argv[1:])[:1]:
            importlib.import_module(module_name).add_arguments(command_parser)
    args = parser.parse_args(argv)
    return int(importlib.import_module(args._module).run(args) or 0)


if __name__ == "__main__":
    raise SystemExit(main())
