"""The semantic layer (models/marts/semantic): ``dbt parse`` validates it, and the
metrics MetricFlow computes on the demo warehouse equal the marts' figures."""

from __future__ import annotations

import csv
import json
import math
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from conftest import copy_project, query
from saas_segments.project import DbtError, dbt, dbt_env

#: The metrics analysts query, with their type and inputs (measure, numerator /
#: denominator or input metrics) as the semantic manifest records them.
METRICS = {
    "mrr": ("simple", ["mrr_usd"]),
    "arr": ("derived", ["mrr"]),
    "nrr": ("ratio", ["retained_mrr", "starting_mrr"]),
    "logo_churn_rate": ("ratio", ["churned_customers", "starting_customers"]),
    "trial_conversion_rate": ("ratio", ["trials_converted", "trials_ended"]),
    "activation_rate": ("ratio", ["activated_signups", "signups"]),
    "nps": ("derived", ["nps_promoters", "nps_detractors", "nps_responses"]),
    "segment_size": ("simple", ["segment_members"]),
    "segment_trial_conversion_rate": ("ratio", ["segment_trials_converted", "segment_trials_ended"]),
    "segment_activation_rate": ("ratio", ["segment_activated_signups", "segment_signups"]),
    "segment_onboarding_completion_rate": ("ratio", ["segment_onboarded_accounts", "segment_new_paying_accounts"]),
    "segment_logo_churn_rate": ("ratio", ["segment_churned_customers", "segment_starting_customers"]),
    "segment_gross_mrr_churn_rate": ("ratio", ["segment_lost_mrr", "segment_starting_mrr"]),
    "segment_nrr": ("ratio", ["segment_retained_mrr", "segment_starting_mrr"]),
    "segment_nps": ("derived", ["segment_nps_promoters", "segment_nps_detractors", "segment_nps_responses"]),
    "segment_cohort_members": ("simple", ["segment_cohort_members"]),
}


@pytest.fixture(scope="module")
def parsed(tmp_path_factory: pytest.TempPathFactory, demo_warehouse: Path) -> tuple[Path, Path]:
    """A copy of the project, parsed into its own target/ (where MetricFlow reads the
    semantic manifest), and a copy of the demo warehouse for MetricFlow to query."""
    workdir = tmp_path_factory.mktemp("semantic")
    project = copy_project(workdir)
    warehouse = workdir / demo_warehouse.name
    shutil.copyfile(demo_warehouse, warehouse)
    dbt(["parse"], warehouse=warehouse, project_dir=project)
    return project, warehouse


def mf_query(project: Path, warehouse: Path, metrics: list[str], group_by: list[str]) -> list[dict[str, str]]:
    """``mf query`` on the project copy; the result rows (empty string = null)."""
    out = project.parent / f"mf-{'-'.join(metrics)}-{'-'.join(group_by)}.csv"
    command = [str(Path(sys.executable).parent / "mf"), "query", "--quiet", "--csv", str(out)]
    command += ["--metrics", ",".join(metrics), "--group-by", ",".join(group_by)]
    env = {**dbt_env(warehouse=warehouse), "DBT_PROJECT_DIR": str(project), "DBT_PROFILES_DIR": str(project)}
    process = subprocess.run(command, cwd=project, env=env, capture_output=True, text=True, check=False)
    output = process.stdout[-4000:] + process.stderr[-3000:]
    assert process.returncode == 0 and out.exists(), f"mf query failed:\n{output}"
    with out.open(newline="") as handle:
        return list(csv.DictReader(handle))


def same(actual: str, expected: object) -> bool:
    """A MetricFlow CSV value equals a mart value (both null, or equal to 1e-9 relative / 1e-6 absolute)."""
    if expected is None or actual == "":
        return expected is None and actual == ""
    return math.isclose(float(actual), float(expected), rel_tol=1e-9, abs_tol=1e-6)


def test_semantic_manifest_has_the_metrics_and_the_time_spine(parsed: tuple[Path, Path]) -> None:
    project, _ = parsed
    manifest = json.loads((project / "target" / "semantic_manifest.json").read_text())
    metrics = {metric["name"]: metric for metric in manifest["metrics"]}
    found = {}
    for name in METRICS:
        params = metrics[name]["type_params"]
        inputs = (
            [params["measure"]["name"]]
            if params["measure"]
            else [params["numerator"]["name"], params["denominator"]["name"]]
            if params["numerator"]
            else [metric["name"] for metric in params["metrics"]]
        )
        found[name] = (metrics[name]["type"], inputs)
    assert found == METRICS
    assert metrics["arr"]["type_params"]["expr"] == "mrr * 12"
    models = {model["name"]: model["node_relation"]["alias"] for model in manifest["semantic_models"]}
    assert models == {
        "mrr_movements": "fct_mrr_movements",
        "kpis_monthly": "fct_kpis_monthly",
        "nps_monthly": "fct_nps_monthly",
        "segment_membership": "fct_segment_membership_history",
        "segments": "dim_segments",
        "accounts": "dim_accounts",
        "segment_kpis_monthly": "fct_segment_kpis_monthly",
    }
    [spine] = manifest["project_configuration"]["time_spines"]
    assert (spine["node_relation"]["alias"], spine["primary_column"]) == (
        "time_spine_daily",
        {"name": "date_day", "time_granularity": "day"},
    )


def test_monthly_metrics_equal_the_marts(parsed: tuple[Path, Path]) -> None:
    """MRR, ARR, NRR, logo churn, trial conversion, activation and NPS by month, as
    MetricFlow computes them from the semantic models, equal fct_mrr_monthly and
    fct_kpis_monthly month by month."""
    project, warehouse = parsed
    names = ["mrr", "arr", "nrr", "logo_churn_rate", "trial_conversion_rate", "activation_rate", "nps"]
    rows = mf_query(project, warehouse, names, ["metric_time__month"])
    expected: dict[str, dict[str, object]] = {}
    for month, ending_mrr, nrr, logo_churn_rate in query(
        warehouse, "select mrr_month, ending_mrr, nrr, logo_churn_rate from marts.fct_mrr_monthly"
    ):
        expected[str(month)] = {"mrr": ending_mrr, "arr": 12 * ending_mrr, "nrr": nrr}
        expected[str(month)]["logo_churn_rate"] = logo_churn_rate
    for month, trial_conversion_rate, activation_rate, nps in query(
        warehouse, "select kpi_month, trial_conversion_rate, activation_rate, nps from marts.fct_kpis_monthly"
    ):
        expected.setdefault(str(month), {"mrr": None, "arr": None, "nrr": None, "logo_churn_rate": None})
        expected[str(month)] |= {"trial_conversion_rate": trial_conversion_rate, "activation_rate": activation_rate}
        expected[str(month)]["nps"] = nps
    got = {row["metric_time__month"][:10]: row for row in rows}
    assert len(rows) == len(got) == len(expected) >= 30
    assert got.keys() == expected.keys()
    mismatches = [
        f"{month} {name}: MetricFlow {got[month][name]!r}, mart {value!r}"
        for month, values in sorted(expected.items())
        for name, value in values.items()
        if not same(got[month][name], value)
    ]
    assert not mismatches, "\n".join(mismatches)
    # the demo months have revenue, retention and survey answers, not only nulls
    assert sum(float(row["mrr"] or 0) for row in rows) > 0
    assert sum(1 for row in rows if row["nrr"] and row["nps"] and row["trial_conversion_rate"]) >= 10


def test_mrr_of_a_quarter_is_its_last_month(parsed: tuple[Path, Path]) -> None:
    """MRR is a balance: at quarter grain MetricFlow reads the quarter's last month, not a sum."""
    project, warehouse = parsed
    rows = mf_query(project, warehouse, ["mrr"], ["metric_time__quarter"])
    last_months = query(
        warehouse,
        "select cast(date_trunc('quarter', mrr_month) as date) as quarter, arg_max(ending_mrr, mrr_month) "
        "from marts.fct_mrr_monthly group by quarter",
    )
    expected = {str(quarter): ending_mrr for quarter, ending_mrr in last_months}
    got = {row["metric_time__quarter"][:10]: row["mrr"] for row in rows}
    assert got.keys() == expected.keys() and len(got) >= 10
    assert all(same(got[quarter], expected[quarter]) for quarter in expected), (got, expected)


def test_segment_size_equals_the_membership_history(parsed: tuple[Path, Path]) -> None:
    project, warehouse = parsed
    rows = mf_query(project, warehouse, ["segment_size"], ["metric_time__day", "segment_membership__segment_key"])
    got = {
        (row["metric_time__day"][:10], row["segment_membership__segment_key"]): int(row["segment_size"]) for row in rows
    }
    expected = {
        (str(as_of), key): members
        for as_of, key, members in query(
            warehouse,
            "select as_of_date, segment_key, count(*) from marts.fct_segment_membership_history group by all",
        )
    }
    assert got == expected
    assert len(expected) >= 30 and any(key == "power_users" for _, key in expected)


#: The per-segment KPI metrics and their columns in fct_segment_kpis_monthly.
SEGMENT_KPI_METRICS = {
    "segment_cohort_members": "members",
    "segment_trial_conversion_rate": "trial_conversion_rate",
    "segment_activation_rate": "activation_rate",
    "segment_onboarding_completion_rate": "onboarding_completion_rate",
    "segment_logo_churn_rate": "logo_churn_rate",
    "segment_gross_mrr_churn_rate": "gross_mrr_churn_rate",
    "segment_nrr": "nrr",
    "segment_nps": "nps",
}


def test_segment_kpi_metrics_equal_fct_segment_kpis_monthly(
    parsed: tuple[Path, Path], tmp_path: Path
) -> None:
    """By segment and month, MetricFlow's segment KPIs equal the table, user segments' nulls included.

    A copy of the warehouse gets the current members recorded as of 2026-01-31 and
    2026-05-31 too, so three months have cohorts (churn in January, contraction and new
    paying accounts in May, NPS answers in June)."""
    project, demo = parsed
    warehouse = tmp_path / demo.name
    shutil.copyfile(demo, warehouse)
    with duckdb.connect(str(warehouse)) as connection:
        for as_of in ("2026-01-31", "2026-05-31"):
            connection.execute(
                "insert into marts.fct_segment_membership_history "
                f"select date '{as_of}', segment_key, entity_type, entity_id, reason, model_name "
                "from marts.fct_segment_membership_history "
                "where as_of_date = (select as_of_date from intermediate.int_as_of_date)"
            )
    rows = mf_query(project, warehouse, list(SEGMENT_KPI_METRICS), ["metric_time__month", "segment_month__segment_key"])
    got = {(row["metric_time__month"][:10], row["segment_month__segment_key"]): row for row in rows}
    columns = ", ".join(SEGMENT_KPI_METRICS.values())
    expected = {
        (str(month), key): dict(zip(SEGMENT_KPI_METRICS, values))
        for month, key, *values in query(
            warehouse, f"select kpi_month, segment_key, {columns} from marts.fct_segment_kpis_monthly"
        )
    }
    assert len(rows) == len(got) == len(expected) >= 150
    assert got.keys() == expected.keys()
    mismatches = [
        f"{key} {name}: MetricFlow {got[key][name]!r}, table {value!r}"
        for key, values in expected.items()
        for name, value in values.items()
        if not same(got[key][name], value)
    ]
    assert not mismatches, "\n".join(mismatches[:30])
    january = [row for (month, _), row in got.items() if month == "2026-01-01"]
    assert any(row["segment_nrr"] and float(row["segment_nrr"]) < 1 for row in january)
    assert same(got[("2026-06-01", "nps_promoters")]["segment_nps"], 100.0)
    assert got[("2026-06-01", "power_users")]["segment_nrr"] == ""

#: A metric the semantic validations reject: a derived metric whose input sets both an
#: offset window and an offset to grain.
BROKEN_METRIC = """
  - name: nrr_previous_month
    label: NRR of the previous month
    type: derived
    type_params:
      expr: nrr
      metrics:
        - name: nrr
          offset_window: 1 month
          offset_to_grain: month
"""


def test_parse_rejects_a_broken_metric(tmp_path: Path, parsed: tuple[Path, Path]) -> None:
    """``dbt parse`` runs the semantic manifest validations: a broken metric fails it.

    The copy keeps the parsed project's target/ and warehouse setting, so dbt only
    re-parses the changed file.
    """
    project, warehouse = parsed
    broken = tmp_path / "project"
    shutil.copytree(project, broken, ignore=shutil.ignore_patterns("logs"))
    metrics = broken / "models" / "marts" / "semantic" / "mrr.yml"
    metrics.write_text(metrics.read_text() + BROKEN_METRIC)
    with pytest.raises(DbtError) as failure:
        dbt(["parse"], warehouse=warehouse, project_dir=broken)
    assert "Both offset_window and offset_to_grain set for derived metric 'nrr_previous_month'" in str(failure.value)
    assert "Semantic Manifest validation failed" in str(failure.value)
