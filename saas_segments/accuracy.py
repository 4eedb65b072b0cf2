"""Segment accuracy against the generator's ground truth.

Compares ``fct_segment_membership`` of a built warehouse with
``<raw_dir>/_truth/segment_members.csv`` and reports precision and recall per
segment. Usage::

    python -m saas_segments.accuracy --raw-dir DIR --warehouse FILE [--min 0.95]
"""

from __future__ import annotations

import argparse
import csv
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb

Member = tuple[str, str]  # (entity_type, entity_id)


@dataclass(frozen=True)
class SegmentScore:
    """Precision and recall of one segment."""

    segment_key: str
    truth: int
    built: int
    true_positives: int

    @property
    def precision(self) -> float:
        return self.true_positives / self.built if self.built else float(self.truth == 0)

    @property
    def recall(self) -> float:
        return self.true_positives / self.truth if self.truth else float(self.built == 0)


def truth_members(raw_dir: Path) -> dict[str, set[Member]]:
    """Planted members per segment, from the generator's truth file."""
    members: dict[str, set[Member]] = {}
    with open(raw_dir / "_truth" / "segment_members.csv", newline="") as handle:
        for row in csv.DictReader(handle):
            members.setdefault(row["segment_key"], set()).add((row["entity_type"], row["entity_id"]))
    return members


def built_members(warehouse: Path, segment_keys: set[str]) -> dict[str, set[Member]]:
    """Members per segment in the warehouse, for the given segment keys."""
    members: dict[str, set[Member]] = {key: set() for key in segment_keys}
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        rows = connection.execute(
            "select segment_key, entity_type, entity_id from marts.fct_segment_membership"
        ).fetchall()
    for key, entity_type, entity_id in rows:
        if key in members:
            members[key].add((entity_type, entity_id))
    return members


def score(raw_dir: Path, warehouse: Path) -> list[SegmentScore]:
    """Precision and recall of every segment the truth file names."""
    truth = truth_members(raw_dir)
    built = built_members(warehouse, set(truth))
    return [
        SegmentScore(key, len(truth[key]), len(built[key]), len(truth[key] & built[key]))
        for key in sorted(truth)
    ]


def render(scores: list[SegmentScore]) -> str:
    """The scores as a Markdown table."""
    lines = ["| segment | truth | built | precision | recall |", "| --- | ---: | ---: | ---: | ---: |"]
    lines += [
        f"| {s.segment_key} | {s.truth} | {s.built} | {s.precision:.3f} | {s.recall:.3f} |" for s in scores
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--raw-dir", type=Path, required=True)
    parser.add_argument("--warehouse", type=Path, required=True)
    parser.add_argument("--min", type=float, default=0.95, help="fail below this precision or recall")
    args = parser.parse_args(argv)
    scores = score(args.raw_dir, args.warehouse)
    print(render(scores))
    failing = [s.segment_key for s in scores if min(s.precision, s.recall) < args.min]
    if failing:
        print(f"below {args.min}: {', '.join(failing)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
