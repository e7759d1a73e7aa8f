"""Our own small project evaluator (dbt-project-evaluator cannot be installed offline): naming, layering,
documentation and key tests, checked on the parsed manifest."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from ai_finops.project import PROJECT_DIR

LAYER_PREFIXES = {"staging": ("stg_",), "intermediate": ("int_",), "marts": ("fct_", "dim_", "mart_")}


@pytest.fixture(scope="module")
def manifest(tmp_path_factory) -> dict:
    target = tmp_path_factory.mktemp("manifest")
    result = subprocess.run(
        [str(Path(sys.executable).parent / "dbt"), "parse", "--profiles-dir", str(PROJECT_DIR), "--project-dir",
         str(PROJECT_DIR), "--target-path", str(target), "--log-path", str(target / "logs")],
        cwd=PROJECT_DIR, text=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, check=False,
        env={**__import__("os").environ, "AI_FINOPS_DUCKDB_PATH": ":memory:", "DO_NOT_TRACK": "1"})
    assert result.returncode == 0, result.stdout[-5000:]
    return json.loads((target / "manifest.json").read_text())


def project_nodes(manifest: dict, resource_type: str) -> list[dict]:
    return [node for node in manifest["nodes"].values()
            if node["resource_type"] == resource_type and node["package_name"] == "ai_finops"]


def layer_of(node: dict) -> str:
    return Path(node["original_file_path"]).parts[1]


def test_models_are_named_for_their_layer(manifest):
    wrong = [(node["name"], layer_of(node)) for node in project_nodes(manifest, "model")
             if not node["name"].startswith(LAYER_PREFIXES.get(layer_of(node), ("",)))]
    assert not wrong, f"models whose name does not match their folder's prefix: {wrong}"


def test_only_staging_reads_sources(manifest):
    offenders = [node["name"] for node in project_nodes(manifest, "model")
                 if node["depends_on"]["nodes"] and layer_of(node) != "staging"
                 and any(parent.startswith("source.") for parent in node["depends_on"]["nodes"])]
    assert not offenders, f"non-staging models that call source(): {offenders}"


def test_marts_do_not_depend_on_staging_directly_for_spans(manifest):
    """Marts read intermediate models (or other marts and seeds); only app dimensions may come straight from staging."""
    offenders = []
    for node in project_nodes(manifest, "model"):
        if layer_of(node) != "marts":
            continue
        for parent in node["depends_on"]["nodes"]:
            if parent.startswith("model.ai_finops.stg_otel"):
                offenders.append((node["name"], parent))
    assert not offenders, f"marts reading span staging directly: {offenders}"


def test_every_model_seed_and_source_is_described(manifest):
    missing = [node["name"] for kind in ("model", "seed") for node in project_nodes(manifest, kind)
               if not node.get("description", "").strip()]
    missing += [f"{source['source_name']}.{source['name']}" for source in manifest["sources"].values()
                if source["package_name"] == "ai_finops" and not source.get("description", "").strip()
                and not source.get("source_description", "").strip()]
    assert not missing, f"undescribed models, seeds or sources: {missing}"


def test_every_documented_column_has_a_description(manifest):
    missing = [f"{node['name']}.{column}" for kind in ("model", "seed") for node in project_nodes(manifest, kind)
               for column, spec in node["columns"].items() if not spec.get("description", "").strip()]
    assert not missing, f"columns without a description: {missing}"


def test_every_model_has_a_primary_key_test(manifest):
    """A unique column that is also tested not null (a not_null test, or in a not_null_columns test), or a
    unique_combination_of_columns test."""
    unique: dict[str, set[str]] = {}
    not_null: dict[str, set[str]] = {}
    combination: set[str] = set()
    for node in project_nodes(manifest, "test"):
        metadata = node.get("test_metadata") or {}
        kwargs = metadata.get("kwargs") or {}
        for parent in node["depends_on"]["nodes"]:
            if metadata.get("name") == "unique":
                unique.setdefault(parent, set()).add(kwargs.get("column_name"))
            elif metadata.get("name") == "not_null":
                not_null.setdefault(parent, set()).add(kwargs.get("column_name"))
            elif metadata.get("name") == "not_null_columns":
                not_null.setdefault(parent, set()).update(kwargs.get("column_names") or [])
            elif metadata.get("name") == "unique_combination_of_columns":
                combination.add(parent)
    lacking = [node["name"] for node in project_nodes(manifest, "model")
               if not (unique.get(node["unique_id"], set()) & not_null.get(node["unique_id"], set())
                       or node["unique_id"] in combination)]
    assert not lacking, (f"models without a primary-key test (unique + not null on one column, or "
                         f"unique_combination_of_columns): {lacking}")


def test_yaml_uses_data_tests_not_tests():
    offenders = [str(path.relative_to(PROJECT_DIR)) for folder in ("models", "seeds", "macros")
                 for path in (PROJECT_DIR / folder).rglob("*.yml")
                 if any(line.strip() == "tests:" for line in path.read_text().splitlines())]
    assert not offenders, f"yaml files using `tests:` instead of `data_tests:`: {offenders}"


def test_every_macro_is_documented(manifest):
    """Helper macros and generic tests are described in macros/*.yml (dispatch implementations excepted)."""
    implementations = ("default__", "duckdb__", "postgres__", "spark__")
    missing = sorted(macro["name"] for macro in manifest["macros"].values()
                     if macro["package_name"] == "ai_finops" and not macro["name"].startswith(implementations)
                     and not macro.get("description", "").strip())
    assert not missing, f"macros without a description in macros/*.yml: {missing}"


def test_privacy_scan_runs_after_every_model(manifest):
    """assert_no_content_leaves_staging reads each incremental model's latest build: it must run after all of them."""
    parents = {}
    for node in manifest["nodes"].values():
        parents[node["unique_id"]] = node.get("depends_on", {}).get("nodes", [])
    scan = next(node["unique_id"] for node in project_nodes(manifest, "test")
                if node["name"] == "assert_no_content_leaves_staging")
    upstream, frontier = set(), [scan]
    while frontier:
        for parent in parents.get(frontier.pop(), []):
            if parent not in upstream:
                upstream.add(parent)
                frontier.append(parent)
    missing = sorted(node["name"] for node in project_nodes(manifest, "model") if node["unique_id"] not in upstream)
    assert missing == [], f"add these models (or a model downstream of them) to the scan's depends_on: {missing}"
