"""Command line: generate one raw dir with its truth files."""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import resource
import sys
import time
from collections import Counter
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pyarrow as pa

from .activity import Aggregates, Context, event_chunks
from .badrows import BadRow, make_bad_rows, safe_hosts
from .config import DEFAULT_END_DATE, SCALES, Calendar, parse_date, stream
from .entities import Spike
from .tables import static_tables
from .truth import truth_rows
from .world import World, build_world
from .writer import to_text, write

EVENTS = "events"
EVENT_TEMPLATES = 200_000


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Parse the command line."""
    p = argparse.ArgumentParser(prog="python -m saas_segments.generator", description=__doc__)
    p.add_argument("--scale", choices=sorted(SCALES), default="demo")
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--out", type=Path, required=True, help="raw dir to write")
    p.add_argument("--format", choices=("parquet", "csv"), default="parquet")
    p.add_argument("--end-date", default=DEFAULT_END_DATE, help="as_of, the last generated UTC day")
    p.add_argument("--bad-rate", type=float, default=0.0,
                   help="share of bad rows per table; > 0 forces --format csv (typed Parquet "
                        "columns cannot hold non-numeric or unparseable values)")
    p.add_argument("--spike-start", help="first day of a signup spike (YYYY-MM-DD)")
    p.add_argument("--spike-days", type=int, default=7)
    p.add_argument("--spike-factor", type=float, default=5.0)
    return p.parse_args(argv)


def _spike(args: argparse.Namespace, cal: Calendar) -> Spike | None:
    """The spike window in day indices, if requested."""
    if not args.spike_start:
        return None
    start = (parse_date(args.spike_start) - cal.start).days
    end = min(start + args.spike_days, cal.n_days)
    if start < 0 or end <= start:
        raise SystemExit("--spike-start must fall inside the generated three years")
    return Spike(start=start, end=end, factor=args.spike_factor)


def _append_bad(table: pa.Table, bad: list[BadRow]) -> pa.Table:
    """The text table with the bad rows appended."""
    if not bad:
        return table
    extra = pa.table({c: pa.array([b.values[c] for b in bad], pa.string()) for c in table.column_names})
    return pa.concat_tables([table, extra])


def _write_events(w: World, out: Path, fmt: str, rate: float, bad: list[BadRow]) -> tuple[Aggregates, int]:
    """Stream events to ``out/events/part-*`` and return the aggregates and row count."""
    folder = out / EVENTS
    folder.mkdir(parents=True, exist_ok=True)
    ctx = Context.build(w.acc, w.users, w.cal, w.seed, w.user_ids, w.account_ids)
    agg = Aggregates.empty(w.users.n, w.acc.n)
    rows = 0
    sample: pa.Table | None = None
    part = 0
    pending: Future[Path] | None = None
    with ThreadPoolExecutor(max_workers=1) as pool:
        for part, table in enumerate(event_chunks(ctx, agg, w.scale.chunk_users)):
            if sample is None:
                sample = to_text(table.slice(0, EVENT_TEMPLATES))
            if pending is not None:
                pending.result()
            pending = pool.submit(_write_part, table, folder / f"part-{part:05d}", fmt)
            rows += table.num_rows
        if pending is not None:
            pending.result()
    if rate > 0 and sample is not None:
        hosts = safe_hosts(w, sample)
        injected = make_bad_rows(EVENTS, sample, hosts, w, rate * rows / max(sample.num_rows, 1),
                                 stream(w.seed, "bad", EVENTS))
        bad.extend(injected)
        write(_append_bad(sample.slice(0, 0), injected), folder / f"part-{part + 1:05d}", fmt)
        rows += len(injected)
    return agg, rows


def _write_part(table: pa.Table, path: Path, fmt: str) -> Path:
    """Write one events part (runs on the writer thread while the next chunk is simulated)."""
    return write(to_text(table) if fmt == "csv" else table, path, fmt)


def run(args: argparse.Namespace) -> dict[str, object]:
    """Generate everything; returns the manifest."""
    started = time.perf_counter()
    fmt = "csv" if args.bad_rate > 0 else args.format
    cal = Calendar(parse_date(args.end_date))
    spike = _spike(args, cal)
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    (out / "_truth").mkdir(exist_ok=True)
    w = build_world(SCALES[args.scale], cal, args.seed, spike)
    counts: dict[str, int] = {}
    bad: list[BadRow] = []
    agg, counts[EVENTS] = _write_events(w, out, fmt, args.bad_rate, bad)
    hosts = safe_hosts(w, pa.table({"x": pa.array([], pa.string())}))
    for name, table in static_tables(w).items():
        if fmt == "csv":
            table = to_text(table)
            if args.bad_rate > 0:
                injected = make_bad_rows(name, table, hosts, w, args.bad_rate, stream(args.seed, "bad", name))
                bad.extend(injected)
                table = _append_bad(table, injected)
        write(table, out / name, fmt)
        counts[name] = table.num_rows
    _write_truth(out, w, agg, bad)
    manifest = {
        "seed": args.seed, "scale": args.scale, "as_of": cal.as_of.isoformat(), "format": fmt,
        "rows": dict(sorted(counts.items())),
        "bad_rows": dict(sorted(Counter(b.kind for b in bad).items())),
        "spike": None if spike is None else {
            "start": (cal.start + dt.timedelta(days=spike.start)).isoformat(),
            "end": (cal.start + dt.timedelta(days=spike.end - 1)).isoformat(),
            "days": spike.end - spike.start, "factor": spike.factor,
        },
    }
    (out / "_truth" / "manifest.json").write_text(json.dumps(manifest, sort_keys=True, indent=2) + "\n")
    elapsed = time.perf_counter() - started
    for name, n in sorted(counts.items()):
        print(f"{name:24s} {n:>12,d}")
    print(f"bad rows: {len(bad)}; elapsed_s={elapsed:.1f}")
    print(f"peak_rss_mb={resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024}")
    return manifest


def _write_truth(out: Path, w: World, agg: Aggregates, bad: list[BadRow]) -> None:
    """``_truth/segment_members.csv`` and ``_truth/bad_rows.csv``."""
    with open(out / "_truth" / "segment_members.csv", "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["segment_key", "entity_type", "entity_id"])
        writer.writerows(truth_rows(w, agg))
    with open(out / "_truth" / "bad_rows.csv", "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["table", "record_key", "kind", "expected_rule"])
        writer.writerows((b.table, b.record_key, b.kind, b.expected_rule) for b in bad)


def main(argv: list[str] | None = None) -> int:
    """Entry point."""
    run(parse_args(argv))
    sys.stdout.flush()
    return 0
