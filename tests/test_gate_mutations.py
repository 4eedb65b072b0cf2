"""Mutation tests of the quality gates: each plants in RAW data the failure one gate
names and watches that gate trip at its severity, naming the segment key (or raw
table) and the criterion, while the refresh refuses to publish and leaves the
published file byte-identical. The clean demo build passes every error-level gate.

The clean baseline is a refresh of the demo data as of the day before its last day;
each mutated raw copy is refreshed as of the last day, so stability compares with a
published run one day older. To keep the wall time small, mutations that hit
disjoint gates share one raw copy and one refresh: the coverage / size / load
mutations in one, the reconciliation / stability ones in another.
Reconciliations between two computations of the same staged data (ARR three ways,
NPS recomputed, sizes vs dim flags) cannot be made to disagree by raw data while both
sides are right, so they are proven by mutating one side's SQL in a copy of the
project and rebuilding only the models concerned."""

from __future__ import annotations

import hashlib
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest

from conftest import copy_project, query
from saas_segments.audit import Audit, audit
from saas_segments.project import dbt
from saas_segments.publish import RefreshResult, demo_vars, refresh

# segments whose rules need ARR in USD / recent NPS answers (their YAML inputs)
ARR_SEGMENTS = {
    "value_tier_high", "value_tier_medium", "value_tier_low", "highest_value", "highest_potential",
    "onboarding_strategic", "low_value_high_maintenance", "at_risk_of_churn", "inactive_accounts",
    "missing_most_valuable",
}
NPS_SEGMENTS = {"nps_promoters", "nps_passives", "nps_detractors", "power_users"}
MRR_SEGMENTS = {
    "value_tier_high", "value_tier_medium", "value_tier_low", "highest_value", "highest_potential",
    "low_value_high_maintenance", "at_risk_of_churn",
}
REMOVED_CURRENCY = "GBP"
SHRUNK = "trial_engaged"
SWAPPED = "highest_potential"


def sha256(path: Path) -> str:
    """Hash of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def failures(result: Audit, severity: str, criterion: str) -> dict[str, str]:
    """key (segment or raw table) -> reason of every failure at that severity and criterion."""
    return {
        key: reason
        for failure in result.failures
        if failure.severity == severity and failure.criterion == criterion
        for key, reason in failure.segments
    }


def rewrite(raw_dir: Path, table: str, sql: str) -> None:
    """Replace ``raw_dir/<table>.parquet`` by ``sql`` run over its current rows (``src``)."""
    rewrite_file(raw_dir / f"{table}.parquet", sql)


def rewrite_file(path: Path, sql: str) -> None:
    """Replace the Parquet file ``path`` by ``sql`` run over its current rows (table ``src``, read first)."""
    with duckdb.connect() as connection:
        connection.execute(f"create table src as select * from read_parquet('{path}')")
        connection.execute(f"copy ({sql}) to '{path}' (format parquet)")


def last_event_day(raw_dir: Path) -> str:
    """The last day in the raw events (the default as_of of a refresh)."""
    return str(duckdb.sql(f"select max(occurred_at)::date from read_parquet('{raw_dir}/events/*.parquet')").fetchall()[0][0])


@pytest.fixture(scope="module")
def baseline_raw(tmp_path_factory: pytest.TempPathFactory, demo_raw_dir: Path) -> Path:
    """A copy of the demo raw dir: the published warehouse is built from it and each
    mutation plants its failure into it (a restated history of the same raw dir, so the
    refresh keeps the published run history the stable gate compares with)."""
    raw_dir = tmp_path_factory.mktemp("baseline") / "raw"
    shutil.copytree(demo_raw_dir, raw_dir)
    return raw_dir


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory, baseline_raw: Path) -> tuple[Path, RefreshResult]:
    """The clean demo data refreshed and published as of the day before its last day."""
    warehouse = tmp_path_factory.mktemp("published") / "saas_segments.duckdb"
    day_before = duckdb.sql(f"select cast('{last_event_day(baseline_raw)}' as date) - 1").fetchall()[0][0]
    return warehouse, refresh(baseline_raw, warehouse, as_of=str(day_before))


def mutated_refresh(
    baseline_raw: Path, published: Path, demo_raw_dir: Path, plant: Callable[[Path, Path], None]
) -> tuple[RefreshResult, str, str]:
    """Refresh the published warehouse on its raw dir with a failure planted, as of its
    last day: the result and the published file's hash before and after; the raw dir is
    the clean demo data again afterwards. ``plant(raw_dir, published)`` may read the
    published warehouse to pick its rows."""
    plant(baseline_raw, published)
    try:
        before = sha256(published)
        result = refresh(baseline_raw, published, as_of=last_event_day(demo_raw_dir), full_refresh=True)
        return result, before, sha256(published)
    finally:
        shutil.rmtree(baseline_raw)
        shutil.copytree(demo_raw_dir, baseline_raw)


def assert_blocked(result: RefreshResult, published: Path, before: str, after: str) -> Audit:
    """The refresh failed its audit and left the published file as it was."""
    assert not result.published and result.audit is not None, result.message
    assert result.audit.errors
    assert after == before
    assert not list((published.parent / ".candidate").glob("run-*"))
    return result.audit


def test_clean_demo_passes_every_error_gate(published: tuple[Path, RefreshResult]) -> None:
    warehouse, result = published
    assert result.published and result.audit is not None, result.message
    assert result.audit.errors == (), result.audit.summary()
    reconciled = dict(query(warehouse, "select check_name, is_reconciled from marts.quality_reconciliations"))
    assert reconciled == {"mrr_vs_invoices": True, "arr_three_way": True, "nps_monthly": True, "nps_quarterly": True}
    assert query(warehouse, "select count(*), sum(quarantined_rows) from marts.load_health where load_verdict = 'pass'") == [
        (13, 0)
    ]


def test_clean_figures_are_not_constant_by_construction(published: tuple[Path, RefreshResult]) -> None:
    """Input coverage and the MRR reconciliation measure something that varies."""
    warehouse, _ = published
    coverage = dict(
        query(
            warehouse,
            "select weakest_input, min(input_coverage) from marts.segment_quality_history "
            "group by weakest_input having min(input_coverage) = max(input_coverage)",
        )
    )
    assert len(coverage) >= 4 and len(set(coverage.values())) >= 3
    assert min(coverage.values()) < 0.5
    # void, refunded and open invoices make some account-months differ from MRR on clean data
    compared, mismatched = query(
        warehouse, "select compared, mismatched from marts.quality_reconciliations where check_name = 'mrr_vs_invoices'"
    )[0]
    assert 0 < mismatched < 0.05 * compared


def plant_coverage_size_and_load(raw_dir: Path, published: Path) -> None:
    """Remove an FX series (which quarantines the subscriptions and invoices in that
    currency), drop the NPS answers of the last 180 days of 80 % of the
    respondents (their segments keep enough members), take the trials
    of the accounts of trial_engaged members away but those of the account with the
    fewest members, and quarantine ~10 % of the events (85 % of the page views get a
    timestamp before raw_min_timestamp)."""
    rewrite(raw_dir, "fx_rates", f"select * from src where currency != '{REMOVED_CURRENCY}'")
    rewrite(
        raw_dir,
        "nps_responses",
        "select * from src where responded_at < (select max(responded_at) from src) - interval 180 day "
        "or hash(user_id) % 10 >= 8",
    )
    kept, *removed = [
        account
        for (account,) in query(
            published, f"select account_id from marts.seg_{SHRUNK} group by account_id order by count(*), account_id"
        )
    ]
    rewrite(raw_dir, "trials", f"select * from src where account_id not in {tuple(removed)}")
    for part in sorted((raw_dir / "events").glob("*.parquet")):
        rewrite_file(
            part,
            "select * replace (case when event_type = 'page_view' and hash(event_id) % 100 < 85 "
            "then timestamp '1990-01-01 00:00:00' else occurred_at end as occurred_at) from src",
        )


def test_coverage_size_and_load_mutations_block_publish(
    baseline_raw: Path, published: tuple[Path, RefreshResult], demo_raw_dir: Path
) -> None:
    warehouse, _ = published
    result, before, after = mutated_refresh(baseline_raw, warehouse, demo_raw_dir, plant_coverage_size_and_load)
    gates = assert_blocked(result, warehouse, before, after)

    measurable = failures(gates, "error", "measurable")
    arr = {key: reason for key, reason in measurable.items() if "input arr_usd: " in reason}
    nps = {key: reason for key, reason in measurable.items() if "input nps_recent: " in reason}
    assert set(arr) == ARR_SEGMENTS - {"at_risk_of_churn"} or set(arr) == ARR_SEGMENTS
    assert {"nps_promoters", "nps_passives", "nps_detractors", "power_users"} <= set(nps), measurable
    for reason in [*arr.values(), *nps.values()]:
        match = re.search(r"input (\w+): (\d+\.\d)% of (\d+) eligible covered < error floor (\d+\.\d)%$", reason)
        assert match and float(match[2]) < float(match[4]), reason
    assert re.fullmatch(r"[0-4] members < min_segment_size 5", measurable[SHRUNK])
    load = failures(gates, "error", "load")
    # the FX series' removal quarantines the subscriptions and invoices in that currency too
    assert set(load) == {"events", "subscriptions", "invoices"}, load
    for table in ("subscriptions", "invoices"):
        total, in_currency = duckdb.sql(
            f"select count(*), count(*) filter (where currency = '{REMOVED_CURRENCY}') "
            f"from read_parquet('{demo_raw_dir}/{table}.parquet')"
        ).fetchall()[0]
        assert load[table].startswith(f"raw table {table}: {in_currency} of {total} rows quarantined ("), load[table]
    events = duckdb.sql(f"select count(*) from read_parquet('{demo_raw_dir}/events/*.parquet')").fetchall()[0][0]
    match = re.fullmatch(r"raw table events: (\d+) of (\d+) rows quarantined \((\d+\.\d)% > error ceiling 5\.0%\)", load["events"])
    assert match and int(match[2]) == events and 0.09 < int(match[1]) / events < 0.11, load["events"]


def plant_invoices_and_swap(raw_dir: Path, published: Path) -> None:
    """Bill every fifth paid USD invoice twice (a copy under a new id), and swap half of
    the highest_potential members: every other member (by whitespace rank) gets no
    potential ARR, and as many accounts of the ranked population outside the segment get
    one far above any other."""
    rewrite(
        raw_dir,
        "invoices",
        "select * from src union all select * replace ('D' || invoice_id as invoice_id) from src "
        "where status = 'paid' and currency = 'USD' and hash(invoice_id) % 5 = 0",
    )
    members = [account for (account,) in query(published, f"select account_id from marts.seg_{SWAPPED} order by account_id")]
    dropped = members[::2]
    raised = [
        account
        for (account,) in query(
            published,
            f"select account_id from marts.dim_accounts where (is_paying or has_running_trial) "
            f"and account_id not in (select account_id from marts.seg_{SWAPPED}) order by account_id limit {len(dropped)}",
        )
    ]
    rewrite(
        raw_dir,
        "accounts",
        f"select * replace (case when account_id in {tuple(dropped)} then 0 "
        f"when account_id in {tuple(raised)} then 100000000 + row_number() over (order by account_id) "
        "else potential_arr end as potential_arr) from src",
    )


def test_invoice_and_membership_mutations_block_publish(
    baseline_raw: Path, published: tuple[Path, RefreshResult], demo_raw_dir: Path
) -> None:
    warehouse, _ = published
    result, before, after = mutated_refresh(baseline_raw, warehouse, demo_raw_dir, plant_invoices_and_swap)
    gates = assert_blocked(result, warehouse, before, after)

    consistent = failures(gates, "error", "consistent")
    assert set(consistent) == MRR_SEGMENTS
    for reason in consistent.values():
        match = re.match(r"mrr_vs_invoices: (\d+) of (\d+) account-months whose paid invoices differ", reason)
        assert match and int(match[1]) > 0.05 * int(match[2]), reason
    stable = failures(gates, "error", "stable")
    members = query(warehouse, f"select count(*) from marts.seg_{SWAPPED}")[0][0]
    match = re.fullmatch(rf"size {members} -> (\d+) since \S+ \(-?\d+\.\d%\), Jaccard (\d\.\d\d), error limits .*", stable[SWAPPED])
    assert match and abs(int(match[1]) - members) <= 2 and float(match[2]) < 0.35, stable[SWAPPED]
    assert "load" not in {failure.criterion for failure in gates.failures}


# one side of each reconciliation computed wrongly: (file, original, mutated)
SQL_MUTATIONS = (
    ("models/marts/dim_accounts.sql", "coalesce(revenue.arr_usd, 0) as arr_usd", "coalesce(revenue.mrr_usd, 0) as arr_usd"),
    (
        "models/marts/fct_nps_monthly.sql",
        "(counted.promoters - counted.detractors)",
        "(counted.promoters - counted.detractors - counted.passives)",
    ),
    ("models/marts/dim_accounts.sql", "        tiers.value_tier,", "        coalesce(tiers.value_tier, 'low') as value_tier,"),
)


def test_reconciliations_trip_when_one_side_is_computed_wrongly(
    tmp_path: Path, published: tuple[Path, RefreshResult], demo_raw_dir: Path
) -> None:
    warehouse, _ = published
    project = copy_project(tmp_path)
    for path, original, mutated in SQL_MUTATIONS:
        sql = (project / path).read_text()
        assert sql.count(original) == 1, path
        (project / path).write_text(sql.replace(original, mutated))
    candidate = tmp_path / warehouse.name
    shutil.copyfile(warehouse, candidate)
    non_paying = query(candidate, "select count(*) from marts.dim_accounts where value_tier is null")[0][0]
    months_with_passives = query(
        candidate, "select count(*) from marts.fct_nps_monthly where dimension = 'overall' and passives > 0"
    )[0][0]
    as_of = query(candidate, "select max(as_of_date) from marts.segment_quality_history")[0][0]
    dbt(
        ["run", "--select", "fct_nps_monthly", "dim_accounts", "quality_reconciliations", "segment_quality"],
        raw_dir=demo_raw_dir,
        warehouse=candidate,
        dbt_vars={**demo_vars(demo_raw_dir), "as_of": str(as_of)},
        target_path=tmp_path / "target",
        project_dir=project,
    )

    consistent = failures(audit(candidate, run_name="sql-mutations"), "error", "consistent")
    tiers = {"value_tier_high", "value_tier_medium", "value_tier_low", "highest_value"}
    assert tiers | {"nps_promoters", "nps_passives", "nps_detractors"} == set(consistent)
    for key in tiers:
        assert consistent[key].startswith("arr_three_way: 2 of 3 pairs of value tier ARR"), consistent[key]
    low = query(candidate, "select count(*) from marts.seg_value_tier_low")[0][0]
    assert consistent["value_tier_low"].endswith(f"; {low} members but {low + non_paying} rows with dim_accounts.value_tier = low")
    for key in ("nps_promoters", "nps_passives", "nps_detractors"):
        assert consistent[key].startswith(f"nps_monthly: {months_with_passives} of "), consistent[key]
        assert "nps_quarterly" not in consistent[key]
