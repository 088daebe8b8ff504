"""Synthetic data: a realistic, deterministic CSV bundle (docs/DATA_FORMAT.md) of organisations, persons, roles,
shareholdings and credit-list entries, and the curated demo bundle in `data/demo/`.

    python -m loaders.synthetic OUT --organizations 100000 --seed 7     # a synthetic bundle
    python -m loaders.synthetic data/demo --demo                         # regenerate the demo bundle

What the generator produces (everything drawn from one `random.Random(seed)`, in one fixed order, so a seed
gives the same bytes every time; rows are written as they are made, so memory stays small):

- organisations with valid USCCs (graph.identifiers.make_uscc) across registration authorities and categories:
  mostly enterprises (91), individual businesses (92), farmers' cooperatives (93), social organisations
  (51/52/53), public institutions (12); registered in real prefecture-level cities and districts (GB/T 2260);
  organisation codes are old 8-digit GB 11714 codes for subjects founded before the USCC (2015-10-01) and
  `MA…` codes after; names follow the register's pattern (place + 字号 + industry + 有限公司 …);
- persons with common Chinese names and valid resident ID numbers (born 1950-2000, old enough for their roles);
  persons are reused across organisations, group bosses and "serial directors" hold roles in 5-20;
- roles with their Chinese titles, dated, with legal-representative handovers (the old role gets `to`, the new
  one starts the day after);
- shareholdings: natural-person holders, business groups 3-5 levels deep (holding company → subsidiaries →
  sub-subsidiaries), minority stakes across groups and a few cross-holding cycles; the ratios held in one
  organisation never sum above 1;
- list entries on about 5% of organisations and 1% of persons, each with its basis document (judgment,
  arbitration award, penalty or recognition decision, notice) and recognising department, realistic periods
  (blacklist 3-5 years), some expired, repaired, under objection, revoked or proposed, leniency grounds, and
  the measures of `loaders/catalogue/measures.csv` allowed for the entry's kind and severity.

Local departments (district courts, city market regulators, tax bureaus …) are written to the bundle's
`departments.csv`; national ones come from the catalogue (`loaders/catalogue/departments.csv`).
Ids: background persons `P00000001`, entries `E00000001`, documents `D00000001`; the curated demo uses
`P-DEMO-001`, `E-DEMO-001`, `D-DEMO-001` and USCCs whose organisation code starts `MAD`, which the background
never produces.

Modules: `vocabulary` (places, departments, names: data only), `generator` (`generate`, the bundle writer),
`demo` (the curated cases and `write_demo`), `__main__` (the command line).
"""

from __future__ import annotations

# The package's two entry points, by the names data/demo/README.md gives them (that file is byte-checked).
from loaders.synthetic.demo import write_demo
from loaders.synthetic.generator import generate

__all__ = ["generate", "write_demo"]
