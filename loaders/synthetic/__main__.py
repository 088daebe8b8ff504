"""Command line of the synthetic data (docs/DATA_FORMAT.md bundles):

    python -m loaders.synthetic OUT --organizations 100000 --seed 7     # a synthetic bundle
    python -m loaders.synthetic data/demo --demo                         # regenerate the demo bundle
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from loaders.synthetic.demo import write_demo
from loaders.synthetic.generator import DEFAULT_AS_OF, generate


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m loaders.synthetic",
                                     description="Write a synthetic CSV bundle (docs/DATA_FORMAT.md).")
    parser.add_argument("out", type=Path, help="output directory (created if missing; files are overwritten)")
    parser.add_argument("--organizations", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--as-of", type=dt.date.fromisoformat, default=DEFAULT_AS_OF,
                        help="the date the data describes (default %(default)s)")
    parser.add_argument("--demo", action="store_true",
                        help="write the curated demo bundle (data/demo) instead; ignores the other options")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    if args.demo:
        counts = write_demo(args.out)
    else:
        counts = generate(args.out, organizations=args.organizations, seed=args.seed, as_of=args.as_of)
    elapsed = time.perf_counter() - started
    print(", ".join(f"{k}: {v:,}" for k, v in counts.items()) + f" ({elapsed:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
