#!/usr/bin/env python3
"""Import benchmark: `casebook import` of N rows against `casebook build` of the same entries.

    python3 bench/import.py [--entries 18000] [--runs 5] [--seed 1] [--casebook PATH]

Generates a site with `bench/generate.py --entries N` under /dev/shm, builds
it once and takes each kind's `entries.csv` from the output. Then, K times,
alternately:

  * build: `casebook build` of the generated site into a fresh folder;
  * import: `casebook import` of both sheets (articles, then practices) into
    a fresh site holding only the same `catalogue.yaml` (one file per row);
  * update: `casebook import --update` of both sheets again into that
    imported site, where every row is unchanged (every entry read and
    compared, nothing written).

Wall time and peak memory come from `/usr/bin/time -f '%e %M'`; an import's
time is the sum of its two runs and its memory the larger of the two. The
table prints medians (memory: the largest run) and the ratio to the build.
After the first import it checks that the imported site builds to the same
`catalogue.json` as the generated one. Everything under /dev/shm is removed
at the end. Standard library only.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time


def timed(command: list[str]) -> tuple[float, int]:
    """Runs `command` under /usr/bin/time; returns (seconds, peak KB)."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as out:
        started = time.perf_counter()
        subprocess.run(
            ["/usr/bin/time", "-f", "%e %M", "-o", out.name, *command],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wall = time.perf_counter() - started
        fields = out.read().split()
        return wall, int(fields[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=18000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--casebook", default=None, help="binary (default: cargo build --release)")
    args = parser.parse_args()

    here = os.path.dirname(os.path.abspath(__file__))
    repo = os.path.dirname(here)
    casebook = args.casebook
    if casebook is None:
        subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=repo, check=True)
        casebook = os.path.join(repo, "target", "release", "casebook")
    base = "/dev/shm" if os.path.isdir("/dev/shm") else tempfile.gettempdir()
    work = tempfile.mkdtemp(prefix="casebook-import-bench-", dir=base)
    try:
        site = os.path.join(work, "site")
        subprocess.run(
            [sys.executable, os.path.join(here, "generate.py"), "--entries", str(args.entries),
             "--seed", str(args.seed), site],
            check=True, stdout=subprocess.DEVNULL,
        )
        first = os.path.join(work, "first")
        subprocess.run([casebook, "build", "--root", site, "--output", first],
                       check=True, stdout=subprocess.DEVNULL)
        sheets = []
        for kind, folder in (("literature", "literature"), ("practice", "practices")):
            sheet = os.path.join(work, f"{folder}.csv")
            shutil.copy(os.path.join(first, folder, "entries.csv"), sheet)
            sheets.append((kind, sheet))
        sheet_mb = sum(os.path.getsize(s) for _, s in sheets) / 1e6

        imported = os.path.join(work, "imported")

        def fresh_site() -> None:
            shutil.rmtree(imported, ignore_errors=True)
            os.makedirs(imported)
            shutil.copy(os.path.join(site, "catalogue.yaml"), imported)

        def run_import(update: bool) -> tuple[float, int]:
            total, peak = 0.0, 0
            for kind, sheet in sheets:
                extra = ["--update"] if update else []
                wall, kb = timed([casebook, "import", sheet, "--kind", kind,
                                  "--root", imported, *extra])
                total += wall
                peak = max(peak, kb)
            return total, peak

        results: dict[str, list[tuple[float, int]]] = {"build": [], "import": [], "update": []}
        for run in range(args.runs):
            out = os.path.join(work, "out")
            shutil.rmtree(out, ignore_errors=True)
            results["build"].append(timed([casebook, "build", "--root", site, "--output", out]))
            fresh_site()
            results["import"].append(run_import(update=False))
            results["update"].append(run_import(update=True))
            if run == 0:
                check = os.path.join(work, "check")
                subprocess.run([casebook, "build", "--root", imported, "--output", check],
                               check=True, stdout=subprocess.DEVNULL)
                with open(os.path.join(check, "catalogue.json"), "rb") as a, \
                        open(os.path.join(first, "catalogue.json"), "rb") as b:
                    same = a.read() == b.read()
                shutil.rmtree(check)
                print(f"imported site builds the same catalogue.json: {'yes' if same else 'NO'}")

        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
        build_s = statistics.median(w for w, _ in results["build"])
        print(f"N = {args.entries}, runs = {args.runs}, sheets {sheet_mb:.1f} MB, "
              f"cores {os.cpu_count()}, 1-min load average at the end {load:.2f}")
        print()
        print("| step | median s | runs s | peak MB | time / build |")
        print("|---|---:|---|---:|---:|")
        for name in ("build", "import", "update"):
            walls = [w for w, _ in results[name]]
            peak = max(kb for _, kb in results[name]) / 1024
            median = statistics.median(walls)
            runs = " ".join(f"{w:.2f}" for w in walls)
            print(f"| {name} | {median:.3f} | {runs} | {peak:.0f} | {median / build_s:.2f} |")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
