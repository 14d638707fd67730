"""Rows and drift of XML and TSV files at 1M records: retrigger's readers beside pandas' own.

    .venv/bin/python benchmarks/formats.py                 # 1M records per file
    .venv/bin/python benchmarks/formats.py --records 100000

The files have example-get-started's shapes: a StackOverflow posts dump (``<posts><row Id=..
Score=.. Tags=.. Title=../></posts>``) and its header-less ``id<TAB>label<TAB>text`` TSV. Each
measurement runs in its own process, imports done first; printed: wall time of the work and the
process's peak RSS. "retrigger rows" is what volume and the hooks run; "retrigger drift" opens
both versions (streamed to Parquet) and runs the tests on every column; "pandas read" is
``read_xml`` / ``read_csv`` of one file, the step a pandas-based tool needs before anything else.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from xml.sax.saxutils import quoteattr

CHUNK = 100_000


def generate(records: int, folder: Path, shifted: bool) -> tuple[Path, Path]:
    """posts.xml and train.tsv with the same records; ``shifted`` moves Score and Tags."""
    import numpy as np

    name = "cur" if shifted else "ref"
    xml, tsv = folder / f"{name}.xml", folder / f"{name}.tsv"
    rng = np.random.default_rng(2 if shifted else 1)
    with xml.open("w", encoding="utf-8") as x, tsv.open("w", encoding="utf-8") as t:
        x.write('<?xml version="1.0" encoding="utf-8"?>\n<posts>\n')
        for start in range(0, records, CHUNK):
            count = min(CHUNK, records - start)
            scores = rng.poisson(6 if shifted else 3, count)
            views = rng.integers(10, 5000, count)
            r_tag = rng.random(count) < (0.2 if shifted else 0.5)
            for i in range(count):
                pid = start + i
                tags = "<r><dataframe>" if r_tag[i] else "<python><pandas>"
                title = f'How do I "merge" frames #{pid % 997}'
                x.write(
                    f'  <row Id="{pid}" PostTypeId="{1 + pid % 2}" Score="{scores[i]}" '
                    f'ViewCount="{views[i]}" Tags={quoteattr(tags)} '
                    f"Title={quoteattr(title)} />\n"
                )
                t.write(f"{pid}\t{int(r_tag[i])}\t{scores[i]}\t{views[i]}\t{title}\n")
        x.write("</posts>\n")
    return xml, tsv


def one(task: str, paths: list[str]) -> dict[str, float]:
    """Run one measurement in this process; imports first, then the timed work."""
    from pathlib import Path

    # Each task imports only what it uses: peak RSS then shows the reader, not the others.
    if task.startswith("pandas"):
        import csv

        import pandas as pd
    elif task == "rows":
        import lxml.etree  # noqa: F401  # imported by the XML reader; loaded before the clock

        from retrigger.data.rows import count_rows
    else:
        from retrigger.drift.engine import DriftOptions, compare
        from retrigger.drift.io import open_table
    started = time.perf_counter()
    rows: int
    if task == "rows":
        rows = int(count_rows(Path(paths[0]), paths[0], paths[0]) or 0)
    elif task == "drift":
        with open_table(Path(paths[0])) as ref, open_table(Path(paths[1])) as cur:
            report = compare(ref, cur, DriftOptions(plots=False))
        rows = report.reference_rows + report.current_rows
    elif task == "pandas-xml":
        rows = len(pd.read_xml(paths[0]))
    else:
        rows = len(pd.read_csv(paths[0], sep="\t", header=None, quoting=csv.QUOTE_NONE))
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"seconds": round(seconds, 2), "peak_mb": round(peak_mb), "rows": rows}


def measure(task: str, *paths: Path) -> dict[str, float]:
    result = subprocess.run(
        [sys.executable, __file__, "--one", task, *map(str, paths)],
        capture_output=True,
        text=True,
        check=True,
    )
    found: dict[str, float] = json.loads(result.stdout.strip().splitlines()[-1])
    return found


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--one", nargs="+")
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one(args.one[0], args.one[1:])))
        return
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        started = time.perf_counter()
        ref_xml, ref_tsv = generate(args.records, folder, shifted=False)
        cur_xml, cur_tsv = generate(args.records, folder, shifted=True)
        print(
            f"{args.records:,} records per file; generated in "
            f"{time.perf_counter() - started:.0f}s (xml {ref_xml.stat().st_size / 1e6:.0f} MB, "
            f"tsv {ref_tsv.stat().st_size / 1e6:.0f} MB)"
        )
        print(f"{'format':6} {'what':16} {'seconds':>8} {'peak MB':>8} {'rows':>10}")
        for fmt, ref, cur in (("xml", ref_xml, cur_xml), ("tsv", ref_tsv, cur_tsv)):
            for label, task, paths in (
                ("retrigger rows", "rows", [ref]),
                ("pandas read", f"pandas-{fmt}", [ref]),
                ("retrigger drift", "drift", [ref, cur]),
            ):
                got = measure(task, *paths)
                print(
                    f"{fmt:6} {label:16} {got['seconds']:8.2f} {got['peak_mb']:8.0f} "
                    f"{int(got['rows']):10,}",
                    flush=True,
                )


if __name__ == "__main__":
    main()
