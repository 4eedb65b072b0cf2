"""``make bench SCALE=s|m|l``: how long a build takes against the floor of reading the data.

In one run, on one generated raw dir (cached by scale and seed):

(a) scan         one plain DuckDB aggregate over the raw events (events per user and
                 day): the floor any build has to pay;
(b) full build   ``dbt build`` (models and data tests) into a new warehouse, on every
                 event but the last day's;
(c) incremental  the last day's events appended as a new file, ``dbt build`` again on
                 that warehouse with the daily refresh's vars (incremental event models,
                 their data tests on the rewritten days);
(d) PostgreSQL   at scale s only: COPY load + ``dbt build`` on the local server.

Each step's wall time and peak RSS (of the process running it) are printed with the
ratios full/scan, incremental/full and PostgreSQL/DuckDB, and written with the
machine's cores and memory to ``bench/results.md`` (one section per scale; the raw
figures in ``bench/results.json``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any
from dataclasses import asdict, dataclass
from pathlib import Path

import duckdb
import psutil

from saas_segments.project import PROJECT_DIR, dbt_env
from saas_segments.publish import REFRESH_WINDOW_TESTS

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
        with duckdb.connect() as connection:
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
    with duckdb.connect(config={"memory_limit": memory_limit}) as connection:
        started = time.perf_counter()
        user_days, events_read = connection.execute(SCAN_SQL.format(events=events)).fetchone()
        seconds = time.perf_counter() - started
    return Step("scan", seconds, None, f"{events_read:,} events into {user_days:,} user-days")


def slowest_models(target: Path, count: int = 5) -> str:
    """The slowest nodes of the last dbt invocation (run_results.json), by node name
    (a test's unique_id ends with a hash after its name)."""
    results = json.loads((target / "run_results.json").read_text())["results"]
    ranked = sorted(results, key=lambda r: r["execution_time"], reverse=True)[:count]
    return ", ".join(f"{r['unique_id'].split('.')[2]} {r['execution_time']:.1f}s" for r in ranked)


def duckdb_steps(raw: Path, last: Path, work: Path) -> Iterator[Step]:
    """(b) full build on the history, (c) incremental build after appending the last day."""
    warehouse = work / "warehouse.duckdb"
    for stale in (warehouse, work / "warehouse.duckdb.wal"):
        stale.unlink(missing_ok=True)
    shutil.rmtree(work / "warehouse.duckdb.tmp", ignore_errors=True)
    target = work / "target"
    env = dbt_env(raw, warehouse)
    command = [str(Path(sys.executable).parent / "dbt"), *DBT_BUILD, "--target-path", str(target)]
    seconds, rss = run_measured(command, env)
    yield Step("full build", seconds, rss, "slowest: " + slowest_models(target))
    os.link(last, raw / "events" / "part-00001.parquet")
    seconds, rss = run_measured([*command, "--vars", json.dumps(REFRESH_WINDOW_TESTS)], env)
    yield Step("incremental", seconds, rss, "slowest: " + slowest_models(target))


def postgres_step(raw: Path, work: Path) -> Step:
    """(d) COPY load and ``dbt build`` on the local PostgreSQL server (database saas_segments_bench)."""
    settings = {"SAAS_TARGET": "postgres", "SAAS_PG_DATABASE": "saas_segments_bench"}
    env = dbt_env(raw, None, {"PGOPTIONS": os.environ.get("PGOPTIONS", "-c work_mem=256MB"), **settings})
    load, load_rss = run_measured(
        [sys.executable, "-m", "saas_segments.pg_load", "--raw-dir", str(raw), "--create-database"], env
    )
    target = work / "target-postgres"
    build, build_rss = run_measured(
        [str(Path(sys.executable).parent / "dbt"), *DBT_BUILD, "--target-path", str(target)], env
    )
    return Step(
        "postgres",
        load + build,
        max(load_rss, build_rss),
        f"COPY load {load:.1f} s + dbt build {build:.1f} s (PGOPTIONS {env['PGOPTIONS']})",
    )


def report(step: Step) -> Step:
    """Print a finished step at once (a large scale runs for many minutes)."""
    rss = "" if step.peak_rss_mb is None else f"  peak RSS {step.peak_rss_mb:,} MB"
    print(f"{step.name:12s} {step.seconds:8.1f} s{rss}  {step.detail}", flush=True)
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
        "incremental / full": ("incremental", "full build"),
        "postgres / duckdb full": ("postgres", "full build"),
    }
    return {
        name: round(steps[top].seconds / steps[bottom].seconds, 3)
        for name, (top, bottom) in found.items()
        if top in steps and bottom in steps
    }


# The performance targets on a 2-core, 24 GiB machine: (scale, description, figure, bound).
TARGETS = (
    ("l", "full build <= 120 s", lambda rec: step(rec, "full build")["seconds"], 120.0),
    ("l", "full build peak RSS <= 8 GB", lambda rec: step(rec, "full build")["peak_rss_mb"], 8192.0),
    ("s", "incremental <= 10 % of full", lambda rec: rec["ratios"]["incremental / full"], 0.10),
    ("m", "incremental <= 10 % of full", lambda rec: rec["ratios"]["incremental / full"], 0.10),
    ("l", "incremental <= 10 % of full", lambda rec: rec["ratios"]["incremental / full"], 0.10),
    ("m", "full build <= 5x scan", lambda rec: rec["ratios"]["full / scan"], 5.0),
)


def step(record: dict[str, Any], name: str) -> dict[str, Any]:
    """One recorded step by name."""
    return next(found for found in record["steps"] if found["name"] == name)


def target_lines(records: dict[str, Any]) -> list[str]:
    """The targets table: each target with the measured figure, for the scales measured."""
    lines = ["## Targets", "", "| scale | target | measured | met |", "| --- | --- | ---: | --- |"]
    for scale, description, figure, bound in TARGETS:
        if scale in records:
            value = figure(records[scale])
            lines.append(f"| {scale} | {description} | {value:,.3f} | {'yes' if value <= bound else 'no'} |")
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
        "Written by `make bench SCALE=s|m|l` (saas_segments/bench.py): (a) one DuckDB aggregate",
        "over the raw events (events per user and day, the floor), (b) a full `dbt build`",
        "(models and data tests) on every event but the last day's, (c) the daily refresh:",
        "the last day appended, `dbt build` again (incremental event models), (d) at scale s",
        "COPY load + `dbt build` on PostgreSQL. Peak RSS is that of the process running the step.",
        "",
    ]
    for name in sorted(records, key=["demo", "s", "m", "l"].index):
        rec = records[name]
        host = rec["machine"]
        lines += [
            f"## Scale {name} ({rec['events']:,} events, seed {rec['seed']})",
            "",
            f"Measured {rec['measured_at']} at commit `{rec['commit']}` on {host['cores']} cores,"
            f" {host['memory_gib']} GiB ({host['cpu']}), DuckDB {host['duckdb']},"
            f" dbt threads {host['threads']}, DuckDB memory_limit {host['memory_limit']}.",
            "",
            "| step | seconds | peak RSS (MB) | detail |",
            "| --- | ---: | ---: | --- |",
        ]
        for step in rec["steps"]:
            rss = "" if step["peak_rss_mb"] is None else f"{step['peak_rss_mb']:,}"
            lines.append(f"| {step['name']} | {step['seconds']:.1f} | {rss} | {step['detail']} |")
        lines += ["", "| ratio | value |", "| --- | ---: |"]
        lines += [f"| {key} | {value:.3f} |" for key, value in rec["ratios"].items()]
        lines.append("")
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
    steps += [report(step) for step in duckdb_steps(raw, last, work)]
    if args.scale == "s":
        steps.append(report(postgres_step(raw, work)))
    by_name = {step.name: step for step in steps}
    record = {
        "seed": args.seed,
        "events": json.loads((source / "_truth" / "manifest.json").read_text())["rows"]["events"],
        "last_day": last_day.isoformat(),
        "measured_at": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=PROJECT_DIR, capture_output=True, text=True, check=False
        ).stdout.strip(),
        "machine": host,
        "steps": [asdict(step) for step in steps],
        "ratios": ratios(by_name),
    }
    for name, value in record["ratios"].items():
        print(f"{name:24s} {value:.3f}")
    print(f"written to {write_results(args.scale, record)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
