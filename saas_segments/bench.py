"""``make bench SCALE=demo|s|m|l``: how long a build takes against the floor of reading the data.

In one run, on one generated raw dir (cached by scale and seed):

(a) scan            one plain DuckDB aggregate over the raw events (events per user and
                    day): the floor any build has to pay;
(b) dbt parse       dbt's fixed cost, measured apart: the project parsed from scratch,
                    and again with the partial parse a build starts from;
(c) full build      the refresh's dbt build (models and data tests,
                    :func:`saas_segments.publish.build_dev` with the refresh's command)
                    into a new warehouse, on every event but the last day's;
(d) incremental     the last day's events appended as a new file, the same build again
                    on that warehouse: the daily refresh (incremental event models, the
                    staging of unchanged raw tables kept, the daily data tests);
(e) check build     a from-scratch build of the same raw dir; every mart relation of the
                    refreshed warehouse must equal it on the current as_of (but those
                    that compare it with the previous as_of, :data:`PREVIOUS_AS_OF`);
(f) full rebuild    ``--full-refresh`` of the refreshed warehouse: the staged events are
                    a layer kept per raw file, with the user-day rollups (which rewrite
                    only the days whose staged events changed: none here), so every
                    model downstream is rebuilt from them without staging or
                    aggregating the history again; compared as in (e);
(g) PostgreSQL      at scale s only: COPY load + ``dbt build`` on the local server, into
                    a new database.

Each step's wall time and peak RSS (sampled every 0.1 s over the processes it runs)
are printed with the slowest nodes, the ratios and the targets met; the time and peak
RSS of every model go to ``bench/results.json``, the slowest to ``bench/results.md``
(one section per scale), with the machine's cores and memory.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import psutil

from saas_segments.pg_load import drop_database
from saas_segments.project import PARTIAL_PARSE_FILE, PROJECT_DIR, dbt_env, dbt_steps, parse_cache
from saas_segments.publish import REFRESH_BUILD, build_dev, dev_target, refresh_vars

RESULTS_DIR = PROJECT_DIR / "bench"
CACHE_DIR = PROJECT_DIR / ".cache" / "bench"
DBT_BUILD = ["build", "--exclude-resource-type", "unit_test"]
SCAN_SQL = """
select count(*) as user_days, sum(events) as events
from (
    select user_id, cast(timezone('UTC', occurred_at) as date) as event_day, count(*) as events
    from read_parquet('{events}')
    group by user_id, event_day
)
"""


@dataclass
class Step:
    """One timed step."""

    name: str
    seconds: float
    peak_rss_mb: int | None = None
    detail: str = ""
    # the models a dbt step ran: name, seconds, peak RSS (MB) while it ran
    models: list[tuple[str, float, int]] = field(default_factory=list)
    # the check build: the mart relations of the refreshed warehouse that differ from it
    differing: list[str] = field(default_factory=list)
    # CPU seconds (user + system) of the processes the step ran: the machine's load aside
    cpu_seconds: float | None = None


def quiet_duckdb(**config: str) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection without its progress bar (the bench prints its own lines)."""
    connection = duckdb.connect(config=config)
    connection.execute("set enable_progress_bar = false")
    return connection


def run_measured(command: list[str], env: dict[str, str]) -> tuple[float, int]:
    """Run ``command``; returns (wall seconds, peak RSS in MB of that process). Fails loudly."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=PROJECT_DIR, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    output = process.stdout.read() if process.stdout else ""
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise SystemExit(f"{' '.join(command)} failed ({code}):\n{output[-4000:]}")
    return seconds, usage.ru_maxrss // 1024


def raw_dir(scale: str, seed: int) -> Path:
    """The generated raw dir (``make generate``'s default place), generated when missing."""
    path = PROJECT_DIR / "data" / "raw" / f"{scale}-{seed}"
    if not (path / "_truth" / "manifest.json").exists():
        seconds, rss = run_measured(
            [sys.executable, "-m", "saas_segments.generator", "--scale", scale, "--seed", str(seed), "--out", str(path)],
            dict(os.environ),
        )
        print(f"generated {path} in {seconds:.0f} s (peak RSS {rss} MB)")
    return path


def split_events(source: Path, work: Path) -> tuple[Path, Path, dt.date]:
    """Every event but the last day's, and the last day's, as two Parquet files (cached)."""
    history, last = work / "events-history.parquet", work / "events-last-day.parquet"
    marker = work / "last-day.txt"
    if not marker.exists():
        work.mkdir(parents=True, exist_ok=True)
        events = f"read_parquet('{source / 'events'}/*.parquet')"
        day = "cast(timezone('UTC', occurred_at) as date)"
        with quiet_duckdb() as connection:
            connection.execute("set timezone = 'UTC'")
            last_day = connection.execute(f"select max({day}) from {events}").fetchone()[0]
            connection.execute(f"copy (select * from {events} where {day} < date '{last_day}') to '{history}' (format parquet)")
            connection.execute(f"copy (select * from {events} where {day} = date '{last_day}') to '{last}' (format parquet)")
        marker.write_text(last_day.isoformat())
    return history, last, dt.date.fromisoformat(marker.read_text())


def bench_raw_dir(source: Path, work: Path, history: Path) -> Path:
    """A raw dir linking the generated tables, with only the history events."""
    raw = work / "raw"
    shutil.rmtree(raw, ignore_errors=True)
    (raw / "events").mkdir(parents=True)
    for path in source.iterdir():
        if path.name in ("events", "_truth"):
            continue
        if path.is_dir():
            shutil.copytree(path, raw / path.name, copy_function=os.link)
        else:
            os.link(path, raw / path.name)
    os.link(history, raw / "events" / "part-00000.parquet")
    return raw


def scan(events: str, memory_limit: str) -> Step:
    """(a) The floor: one aggregate over every raw event."""
    with quiet_duckdb(memory_limit=memory_limit) as connection:
        started = time.perf_counter()
        user_days, events_read = connection.execute(SCAN_SQL.format(events=events)).fetchone()
        seconds = time.perf_counter() - started
    return Step("scan", seconds, None, f"{events_read:,} events into {user_days:,} user-days")


class RssSampler:
    """The summed RSS of this process's children (dbt and what it starts), every 0.1 s."""

    def __init__(self) -> None:
        self.samples: list[tuple[float, int]] = []
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        me = psutil.Process()
        while not self._done.wait(0.1):
            total = 0
            for child in me.children(recursive=True):
                try:
                    total += child.memory_info().rss
                except psutil.Error:
                    continue
            self.samples.append((time.time(), total // 2**20))

    def peak(self, start: float = 0.0, end: float = float("inf")) -> int:
        """The highest sample between two epoch times (MB)."""
        return max((rss for at, rss in self.samples if start <= at <= end), default=0)

    @contextmanager
    def running(self) -> Iterator["RssSampler"]:
        self._thread.start()
        try:
            yield self
        finally:
            self._done.set()
            self._thread.join()


def epoch(timestamp: str) -> float:
    """A dbt run_results timestamp (UTC) as epoch seconds."""
    return dt.datetime.fromisoformat(timestamp.replace("Z", "")).replace(tzinfo=dt.timezone.utc).timestamp()


def node_results(target: Path) -> list[dict[str, Any]]:
    """Every node result of the build in ``target`` (each of its dbt commands)."""
    return [result for path in sorted(target.glob("run_results-*.json")) for result in json.loads(path.read_text())["results"]]


def slowest_nodes(results: list[dict[str, Any]], count: int = 5) -> str:
    """The slowest nodes by name (a test's unique_id ends with a hash after its name)."""
    ranked = sorted(results, key=lambda r: r["execution_time"], reverse=True)[:count]
    return ", ".join(f"{r['unique_id'].split('.')[2]} {r['execution_time']:.1f}s" for r in ranked)


def model_figures(results: list[dict[str, Any]], sampler: RssSampler) -> list[tuple[str, float, int]]:
    """Each model's time and the peak RSS sampled while it ran, slowest first."""
    figures = []
    for result in results:
        if not result["unique_id"].startswith("model.") or not result["timing"]:
            continue
        start, end = epoch(result["timing"][0]["started_at"]), epoch(result["timing"][-1]["completed_at"])
        figures.append((result["unique_id"].split(".")[2], round(result["execution_time"], 2), sampler.peak(start, end)))
    return sorted(figures, key=lambda figure: figure[1], reverse=True)


def children_cpu() -> float:
    """CPU seconds (user + system) of this process's finished children so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measured(name: str, work: Callable[[], Path | None]) -> Step:
    """Run ``work`` (returning a dbt target dir, or None) and time it with its peak RSS and CPU time."""
    with RssSampler().running() as sampler:
        cpu, started = children_cpu(), time.perf_counter()
        target = work()
        seconds, cpu = time.perf_counter() - started, round(children_cpu() - cpu, 1)
    if target is None:
        return Step(name, seconds, sampler.peak(), cpu_seconds=cpu)
    results = node_results(target)
    detail = f"{len(results)} nodes; slowest: {slowest_nodes(results)}"
    return Step(name, seconds, sampler.peak(), detail, model_figures(results, sampler), cpu_seconds=cpu)


def warm_parse(raw: Path, warehouse: Path, incremental: bool) -> None:
    """Parse the project as a build into ``warehouse`` with the full build's or the refresh's
    vars does (one :mod:`saas_segments.dbt_steps` process, no command), which keeps the
    partial parse the next such build starts from."""
    target = dev_target(warehouse)
    (target / PARTIAL_PARSE_FILE).unlink(missing_ok=True)
    dbt_steps([], raw_dir=raw, warehouse=warehouse, dbt_vars=refresh_vars(raw, incremental=incremental), target_path=target)


def parse_steps(raw: Path, warehouse: Path) -> Iterator[Step]:
    """(b) dbt's fixed cost as a build pays it: the project parsed from scratch, then from
    the partial parse a build starts from (the refresh's vars); the full build's partial
    parse is then warmed up, unmeasured."""
    variables = refresh_vars(raw, incremental=True)

    def from_scratch() -> None:
        parse_cache(PROJECT_DIR, dbt_env(raw, warehouse), variables).unlink(missing_ok=True)
        warm_parse(raw, warehouse, incremental=True)

    yield measured("dbt parse (from scratch)", from_scratch)
    yield measured("dbt parse (partial)", lambda: warm_parse(raw, warehouse, incremental=True))
    warm_parse(raw, warehouse, incremental=False)


def fresh(warehouse: Path) -> Path:
    """Remove a warehouse file and what DuckDB keeps next to it; returns it."""
    for stale in (warehouse, warehouse.with_name(warehouse.name + ".wal")):
        stale.unlink(missing_ok=True)
    shutil.rmtree(warehouse.with_name(warehouse.name + ".tmp"), ignore_errors=True)
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    return warehouse


def build(raw: Path, warehouse: Path, full_refresh: bool = False) -> Path:
    """The refresh's dbt build (no unit tests, no gates) of ``raw`` into ``warehouse``; its
    target dir. It starts from the partial parse kept for its vars (:func:`warm_parse`)."""
    (dev_target(warehouse) / PARTIAL_PARSE_FILE).unlink(missing_ok=True)
    return build_dev(raw, warehouse, full_refresh=full_refresh, progress=lambda line: None, command=REFRESH_BUILD)


# The mart relations whose rows on the current as_of compare it with the previous one
# (transitions, size change, the stable gate and what reports the gates) or record
# published runs: a refreshed warehouse has one as_of more than a from-scratch build.
PREVIOUS_AS_OF = (
    "fct_segment_transitions",
    "rpt_segment_sizes",
    "rpt_segment_quality",
    "rpt_segment_quality_counts",
    "segment_quality",
    "segment_quality_history",
)


def differing_marts(left: Path, right: Path, skipped: tuple[str, ...] = PREVIOUS_AS_OF) -> tuple[int, list[str]]:
    """How many mart relations were compared, and those whose rows differ (either way, as
    multisets; a relation with an ``as_of_date`` column on ``right``'s as_of only)."""
    with quiet_duckdb() as connection:
        connection.execute(f"attach '{left}' as l (read_only)")
        connection.execute(f"attach '{right}' as r (read_only)")
        as_of = connection.execute("select max(as_of_date) from r.intermediate.int_as_of_date").fetchone()[0]
        names = [
            name
            for (name,) in connection.execute(
                "select table_name from duckdb_tables() where database_name = 'l' and schema_name = 'marts'"
                " union select view_name from duckdb_views() where database_name = 'l' and schema_name = 'marts' order by 1"
            ).fetchall()
            if name not in skipped
        ]
        differing = []
        for name in names:
            columns = [
                column
                for (column,) in connection.execute(
                    "select column_name from duckdb_columns() where database_name = 'l' and schema_name = 'marts'"
                    f" and table_name = '{name}' and column_name <> 'run_id' order by column_index"
                ).fetchall()
            ]
            listed = ", ".join(f'"{column}"' for column in columns)
            where = f"where as_of_date = date '{as_of}'" if "as_of_date" in columns else ""
            either_way = " union all ".join(
                f"(select {listed} from {a}.marts.{name} {where} except all select {listed} from {b}.marts.{name} {where})"
                for a, b in (("l", "r"), ("r", "l"))
            )
            if connection.execute(f"select count(*) from ({either_way})").fetchone()[0]:
                differing.append(name)
    return len(names), differing


def compared_with(checked: Step, warehouse: Path, check: Path, what: str) -> Step:
    """``checked`` with the mart relations of ``warehouse`` compared with ``check`` (the from-scratch build)."""
    compared, differing = differing_marts(warehouse, check)
    outcome = f"differ: {', '.join(differing)}" if differing else "equal"
    checked.detail = f"{what}, {compared} mart relations: {outcome}; {checked.detail}"
    checked.differing = differing
    return checked


def duckdb_steps(raw: Path, last: Path, work: Path) -> Iterator[Step]:
    """(c) full build on the history, (d) the daily refresh after appending the last day,
    (e) a from-scratch build of the same raw dir, compared with the refreshed warehouse,
    (f) a full rebuild of the refreshed warehouse from its staged layer, compared too."""
    warehouse, check = fresh(work / "warehouse.duckdb"), fresh(work / "check" / "warehouse.duckdb")
    yield measured("full build", lambda: build(raw, warehouse))
    os.link(last, raw / "events" / "part-00001.parquet")
    refreshed = measured("incremental", lambda: build(raw, warehouse))
    yield refreshed
    checked = measured("check build", lambda: build(raw, check))
    yield compared_with(checked, warehouse, check, "refreshed warehouse vs this build")
    rebuilt = measured("full rebuild", lambda: build(raw, warehouse, full_refresh=True))
    yield compared_with(rebuilt, warehouse, check, "the refreshed warehouse rebuilt from its staged layer vs the check build")


def postgres_step(raw: Path, work: Path) -> Step:
    """(g) COPY load and ``dbt build`` on the local PostgreSQL server, into a new database
    (saas_segments_bench, dropped first: a build on an earlier run's tables would be incremental)."""
    settings = {"SAAS_TARGET": "postgres", "SAAS_PG_DATABASE": "saas_segments_bench"}
    drop_database(settings["SAAS_PG_DATABASE"])
    env = dbt_env(raw, None, {"PGOPTIONS": os.environ.get("PGOPTIONS", "-c work_mem=256MB"), **settings})
    load, load_rss = run_measured(
        [sys.executable, "-m", "saas_segments.pg_load", "--raw-dir", str(raw), "--create-database"], env
    )
    target = work / "target-postgres"
    build_seconds, build_rss = run_measured(
        [str(Path(sys.executable).parent / "dbt"), *DBT_BUILD, "--target-path", str(target)], env
    )
    return Step(
        "postgres",
        load + build_seconds,
        max(load_rss, build_rss),
        f"COPY load {load:.1f} s + dbt build {build_seconds:.1f} s (PGOPTIONS {env['PGOPTIONS']})",
    )


def report(step: Step) -> Step:
    """Print a finished step at once (a large scale runs for many minutes), with its slowest models."""
    rss = "" if step.peak_rss_mb is None else f"  peak RSS {step.peak_rss_mb:,} MB"
    cpu = "" if step.cpu_seconds is None else f"  CPU {step.cpu_seconds:.1f} s"
    print(f"{step.name:26s} {step.seconds:8.1f} s{cpu}{rss}  {step.detail}", flush=True)
    for name, seconds, peak in step.models[:MODELS_SHOWN]:
        print(f"    {name:50s} {seconds:7.2f} s  {peak:7,} MB", flush=True)
    return step


def machine() -> dict[str, object]:
    """Cores, memory and software of this machine."""
    return {
        "cores": os.cpu_count(),
        "memory_gib": round(psutil.virtual_memory().total / 2**30, 1),
        "cpu": platform.processor() or platform.machine(),
        "duckdb": duckdb.__version__,
        "threads": os.environ.get("SAAS_THREADS", "2"),
        "memory_limit": os.environ.get("SAAS_DUCKDB_MEMORY_LIMIT", "6GB"),
    }


def ratios(steps: dict[str, Step]) -> dict[str, float]:
    """full/scan, incremental/full and PostgreSQL/DuckDB (when measured)."""
    found = {
        "full / scan": ("full build", "scan"),
        "full rebuild / scan": ("full rebuild", "scan"),
        "incremental / full": ("incremental", "full build"),
        "postgres / duckdb full": ("postgres", "full build"),
    }
    return {
        name: round(steps[top].seconds / steps[bottom].seconds, 3)
        for name, (top, bottom) in found.items()
        if top in steps and bottom in steps
    }


# PostgreSQL at scale s before the refresh work (seconds), the bound it must not exceed
POSTGRES_S_BEFORE = 203.4
# The performance targets on a 2-core, 24 GiB machine: (scale, description, figure, bound).
TARGETS = (
    ("demo", "full build <= 20 s", lambda rec: step(rec, "full build")["seconds"], 20.0),
    ("l", "full build <= 120 s", lambda rec: step(rec, "full build")["seconds"], 120.0),
    ("l", "full rebuild from the staged layer <= 120 s", lambda rec: step(rec, "full rebuild")["seconds"], 120.0),
    ("l", "full build peak RSS <= 8 GB", lambda rec: step(rec, "full build")["peak_rss_mb"], 8192.0),
    ("s", "incremental <= 10 % of full", lambda rec: rec["ratios"]["incremental / full"], 0.10),
    ("m", "incremental <= 10 % of full", lambda rec: rec["ratios"]["incremental / full"], 0.10),
    ("l", "incremental <= 10 % of full", lambda rec: rec["ratios"]["incremental / full"], 0.10),
    ("m", "full build <= 5x scan", lambda rec: rec["ratios"]["full / scan"], 5.0),
    ("l", "full build <= 5x scan", lambda rec: rec["ratios"]["full / scan"], 5.0),
    ("m", "full rebuild <= 5x scan", lambda rec: rec["ratios"]["full rebuild / scan"], 5.0),
    ("l", "full rebuild <= 5x scan", lambda rec: rec["ratios"]["full rebuild / scan"], 5.0),
    ("s", f"postgres <= {POSTGRES_S_BEFORE} s", lambda rec: step(rec, "postgres")["seconds"], POSTGRES_S_BEFORE),
    *(
        (scale, "refreshed or rebuilt marts differing from a from-scratch build = 0", lambda rec: len(rec["differing"]), 0.0)
        for scale in ("demo", "s", "m", "l")
    ),
)
MODELS_SHOWN = 10


def step(record: dict[str, Any], name: str) -> dict[str, Any]:
    """One recorded step by name."""
    return next(found for found in record["steps"] if found["name"] == name)


def target_lines(records: dict[str, Any]) -> list[str]:
    """The targets table: each target with the measured figure, for the scales measured."""
    lines = ["## Targets", "", "| scale | target | measured | met |", "| --- | --- | ---: | --- |"]
    for scale, description, figure, bound in TARGETS:
        if scale in records:
            try:
                value = figure(records[scale])
            except (KeyError, StopIteration):
                continue  # not measured in that record
            lines.append(f"| {scale} | {description} | {value:,.3f} | {'yes' if value <= bound else 'no'} |")
    return [*lines, ""]


def scale_lines(name: str, rec: dict[str, Any]) -> list[str]:
    """One scale's section of results.md."""
    host = rec["machine"]
    lines = [
        f"## Scale {name} ({rec['events']:,} events, seed {rec['seed']})",
        "",
        f"Measured {rec['measured_at']} at commit `{rec['commit']}` on {host['cores']} cores,"
        f" {host['memory_gib']} GiB ({host['cpu']}), DuckDB {host['duckdb']},"
        f" dbt threads {host['threads']}, DuckDB memory_limit {host['memory_limit']}.",
        "",
        "| step | seconds | CPU seconds | peak RSS (MB) | detail |",
        "| --- | ---: | ---: | ---: | --- |",
    ]
    for found in rec["steps"]:
        rss = "" if found["peak_rss_mb"] is None else f"{found['peak_rss_mb']:,}"
        cpu = "" if found.get("cpu_seconds") is None else f"{found['cpu_seconds']:.1f}"
        lines.append(f"| {found['name']} | {found['seconds']:.1f} | {cpu} | {rss} | {found['detail']} |")
    lines += ["", "| ratio | value |", "| --- | ---: |"]
    lines += [f"| {key} | {value:.3f} |" for key, value in rec["ratios"].items()]
    for found in rec["steps"]:
        if found.get("models"):
            lines += ["", f"Slowest models, {found['name']} (all in results.json):", "", "| model | seconds | peak RSS (MB) |", "| --- | ---: | ---: |"]
            lines += [f"| {model} | {seconds:.2f} | {peak:,} |" for model, seconds, peak in found["models"][:MODELS_SHOWN]]
    return [*lines, ""]


def write_results(scale: str, record: dict[str, object]) -> Path:
    """Merge this scale's record into bench/results.json and rewrite bench/results.md."""
    RESULTS_DIR.mkdir(exist_ok=True)
    store = RESULTS_DIR / "results.json"
    records = json.loads(store.read_text()) if store.exists() else {}
    records[scale] = record
    store.write_text(json.dumps(records, indent=2, sort_keys=True) + "\n")
    lines = [
        "# Benchmark results",
        "",
        "Written by `make bench SCALE=demo|s|m|l` (saas_segments/bench.py): (a) one DuckDB aggregate",
        "over the raw events (events per user and day, the floor), (b) dbt's fixed cost: the project",
        "parsed from scratch and partially, (c) the refresh's `dbt build` (models and data tests) into",
        "a new warehouse on every event but the last day's, (d) the daily refresh: the last day",
        "appended, the same build again (incremental event models, unchanged raw tables not staged",
        "again, daily data tests), (e) a from-scratch build of the same raw dir, every mart relation",
        "of the refreshed warehouse compared with it on the current as_of (but the six that compare",
        "it with the previous as_of: transitions, size changes, the quality gates' tables), (f) a full",
        "rebuild (`--full-refresh`) of the refreshed warehouse, which keeps its staged events (a layer",
        "kept per raw file) and their user-day rollups (rewriting only days whose staged events",
        "changed) and rebuilds every model downstream from them, compared the same way, (g) at",
        "scale s COPY load + `dbt build` on PostgreSQL into a new database. Builds start from a warm",
        "partial parse. Peak RSS is sampled every 0.1 s over the processes a step runs; a model's,",
        "while it ran. CPU",
        "seconds (user + system of the step's processes) do not grow with the machine's load; the",
        "wall times do (other work shares the cores).",
        "",
    ]
    for name in sorted(records, key=["demo", "s", "m", "l"].index):
        lines += scale_lines(name, records[name])
    lines += target_lines(records)
    path = RESULTS_DIR / "results.md"
    path.write_text("\n".join(lines))
    return path


def main(argv: list[str] | None = None) -> int:
    """Entry point."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", choices=["demo", "s", "m", "l"], default="s")
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args(argv)
    source = raw_dir(args.scale, args.seed)
    work = CACHE_DIR / f"{args.scale}-{args.seed}"
    history, last, last_day = split_events(source, work)
    raw = bench_raw_dir(source, work, history)
    host = machine()
    steps = [report(scan(f"{source / 'events'}/*.parquet", str(host["memory_limit"])))]
    steps += [report(found) for found in parse_steps(raw, work / "warehouse.duckdb")]
    steps += [report(found) for found in duckdb_steps(raw, last, work)]
    if args.scale == "s":
        steps.append(report(postgres_step(raw, work)))
    by_name = {found.name: found for found in steps}
    record = {
        "seed": args.seed,
        "events": json.loads((source / "_truth" / "manifest.json").read_text())["rows"]["events"],
        "last_day": last_day.isoformat(),
        "measured_at": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=PROJECT_DIR, capture_output=True, text=True, check=False
        ).stdout.strip(),
        "machine": host,
        "steps": [asdict(found) for found in steps],
        "ratios": ratios(by_name),
        "differing": sorted(set(by_name["check build"].differing) | set(by_name["full rebuild"].differing)),
    }
    for name, value in record["ratios"].items():
        print(f"{name:24s} {value:.3f}")
    for line in target_lines({args.scale: record})[4:-1]:
        print(line)
    print(f"written to {write_results(args.scale, record)}")
    return 0 if not record["differing"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
