"""The synthetic generator's speed, beside the floor of writing the same files.

    python -m bench.synthetic [--organizations 20000] [--runs 5]

Figure: seconds (and rows per second) to generate a bundle of `--organizations` organisations. Baseline, in the
same run: reading those files back and writing the same rows again with `csv.writer`, the I/O and CSV encoding
any generator pays. Medians over `--runs`; compare the ratio. (This replaced a wall-clock assertion in the test
suite: speed is measured here, not asserted in tests.)
"""

from __future__ import annotations

import argparse
import csv
import json
import statistics
import tempfile
import time
from pathlib import Path

from loaders.synthetic.generator import generate


def rewrite_seconds(src: Path, dst: Path) -> float:
    """Seconds to write every file of `src` again into `dst` (reading it back is not counted)."""
    dst.mkdir(parents=True, exist_ok=True)
    seconds = 0.0
    for file in sorted(src.glob("*.csv")):
        with file.open(encoding="utf-8", newline="") as handle:
            table = list(csv.reader(handle))
        started = time.perf_counter()
        with (dst / file.name).open("w", encoding="utf-8", newline="") as handle:
            csv.writer(handle, lineterminator="\n").writerows(table)
        seconds += time.perf_counter() - started
    return seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.synthetic", description=__doc__.split("\n")[0])
    parser.add_argument("--organizations", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    generated: list[float] = []
    floor: list[float] = []
    rows = 0
    with tempfile.TemporaryDirectory() as tmp:
        for run in range(args.runs):
            out = Path(tmp) / f"g{run}"
            started = time.perf_counter()
            counts = generate(out, organizations=args.organizations, seed=7)
            generated.append(time.perf_counter() - started)
            rows = sum(counts.values())
            floor.append(rewrite_seconds(out, Path(tmp) / f"w{run}"))
    result = {
        "organizations": args.organizations, "rows": rows, "runs": args.runs,
        "generate_s_median": round(statistics.median(generated), 3),
        "generate_rows_per_s": round(rows / statistics.median(generated)),
        "csv_write_floor_s_median": round(statistics.median(floor), 3),
        "ratio": round(statistics.median(generated) / statistics.median(floor), 1),
    }
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
