"""Several dbt commands in one process, the project parsed once:
``python -m saas_segments.dbt_steps SPEC`` (started by :func:`saas_segments.project.dbt_steps`).

SPEC is a JSON file: ``steps`` (each a dbt command's arguments), ``common`` (arguments
every command gets: vars, target path), ``unchanged_tables`` (raw tables whose staging
is left as the warehouse has it), ``daily_tests`` (leave out the tests a refresh
skips; see :mod:`saas_segments.refresh_scope`), ``target_path`` (where the commands
write), ``results_per_step`` (keep each command's results) and ``parse_warehouse``
(the DuckDB path the parse sees, the same for every file of a name, so that dbt's
partial parse is reused: :func:`saas_segments.project.parse_warehouse`; the commands
run on ``SAAS_DUCKDB_PATH``). Every command also leaves out the not_null data tests
of columns whose not_null constraint the engine enforces (:func:`enforced_not_null_tests`).
The data tests left out are dropped from the parsed manifest the commands run on (so
their ``manifest.json`` does not list them: dbt resolves each name given to ``--exclude``
against every node, a second per command for a few hundred names); the models and seeds
left out are added to each command's ``--exclude``; the tests that would go with them
but also check a node that runs (a relationship from a restaged table to one left as it
is) run after the first.
With ``results_per_step``, after each command its ``run_results.json`` is kept as
``run_results-<n>.json`` in the target dir. Exits 1 at the first command that fails.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path
from typing import Any

from dbt.cli.main import dbtRunner

from saas_segments.refresh_scope import daily_skipped_tests, skipped_nodes


def enforced_not_null_tests(manifest: Any) -> set[str]:
    """The unique ids of the not_null data tests that could not fail: their column has a
    not_null constraint in an enforced contract of a table or incremental model, and the
    engine enforces not_null constraints (DuckDB and PostgreSQL create the table with
    NOT NULL, so a null stops the build). On an engine that does not (Spark) every
    not_null test runs."""
    from dbt.adapters.base.impl import ConstraintSupport
    from dbt.adapters.factory import get_adapter_class_by_name
    from dbt_common.contracts.constraints import ConstraintType

    support = get_adapter_class_by_name(manifest.metadata.adapter_type).CONSTRAINT_SUPPORT
    if support.get(ConstraintType.not_null) != ConstraintSupport.ENFORCED:
        return set()
    found = set()
    for unique_id, node in manifest.nodes.items():
        metadata = getattr(node, "test_metadata", None)
        model = manifest.nodes.get(getattr(node, "attached_node", None) or "")
        if metadata is None or metadata.name != "not_null" or model is None:
            continue
        column = model.columns.get(node.column_name)
        contract = getattr(model, "contract", None)  # seeds have none
        if (
            contract is not None
            and contract.enforced
            and model.config.materialized in ("table", "incremental")
            and column is not None
            and any(constraint.type == ConstraintType.not_null for constraint in column.constraints)
        ):
            found.add(unique_id)
    return found


def left_out(manifest: Any, unchanged: list[str], daily_tests: bool) -> tuple[set[str], list[str]]:
    """The unique ids of the nodes a build leaves out, and the names of the tests dbt would
    leave out with them though they also check a node that runs (``--exclude`` takes a
    model's tests along): those run in a command of their own."""
    nodes = {
        unique_id: {
            "resource_type": str(node.resource_type),
            "original_file_path": node.original_file_path,
            "depends_on": list(getattr(node.depends_on, "nodes", [])),
            "test_name": node.test_metadata.name if getattr(node, "test_metadata", None) else None,
        }
        for unique_id, node in manifest.nodes.items()
    }
    sources = {unique_id: {"identifier": source.identifier} for unique_id, source in manifest.sources.items()}
    ids = skipped_nodes(nodes, sources, unchanged) | (daily_skipped_tests(nodes) if daily_tests else set())
    ids |= enforced_not_null_tests(manifest)
    taken_along = {
        unique_id
        for unique_id, node in nodes.items()
        if node["resource_type"] == "test" and unique_id not in ids and ids & set(node["depends_on"])
    }
    return ids, sorted(manifest.nodes[i].name for i in taken_along)


def drop_tests(manifest: Any, ids: set[str]) -> list[str]:
    """Drop the data tests among ``ids`` from ``manifest`` (and from the graph its
    templates see); the names of the other nodes among ``ids``."""
    tests = {unique_id for unique_id in ids if str(manifest.nodes[unique_id].resource_type) == "test"}
    for unique_id in tests:
        del manifest.nodes[unique_id]
        manifest.flat_graph.get("nodes", {}).pop(unique_id, None)
    return sorted(manifest.nodes[unique_id].name for unique_id in ids - tests)


def main(argv: list[str]) -> int:
    """Parse once, then run every step with the parsed manifest."""
    spec = json.loads(Path(argv[0]).read_text())
    common: list[str] = spec["common"]
    warehouse = os.environ.get("SAAS_DUCKDB_PATH")
    if spec.get("parse_warehouse"):
        Path(spec["parse_warehouse"]).parent.mkdir(parents=True, exist_ok=True)
        os.environ["SAAS_DUCKDB_PATH"] = spec["parse_warehouse"]
    # the commands write manifest.json themselves; the parse keeps partial_parse.msgpack
    parsed = dbtRunner().invoke(["parse", "--no-write-json", *common])
    if warehouse is not None:
        os.environ["SAAS_DUCKDB_PATH"] = warehouse
    if not parsed.success:
        return 1
    manifest = parsed.result
    ids, taken_along = left_out(manifest, spec["unchanged_tables"], spec["daily_tests"])
    excluded = drop_tests(manifest, ids)
    steps = [[*step, *(["--exclude", *excluded] if excluded else [])] for step in spec["steps"]]
    if taken_along:
        steps.insert(1, ["test", "--select", *taken_along])
    target = Path(spec["target_path"])
    for number, step in enumerate(steps, 1):
        (target / "run_results.json").unlink(missing_ok=True)
        result = dbtRunner(manifest=manifest).invoke([*step, *common])
        if spec["results_per_step"] and (target / "run_results.json").exists():
            shutil.copyfile(target / "run_results.json", target / f"run_results-{number}.json")
        if not result.success:
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
