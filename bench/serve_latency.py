#!/usr/bin/env python3
"""Edit-to-served latency of `casebook serve`: a benchmark, not a test.

    python3 bench/serve_latency.py [--bin target/release/casebook] [--edits 30]
                                   [--entries 18000] [--seed 1] [--only shipped|generated]

For each catalogue -- (a) the shipped one (the repository's catalogue.yaml and
content/ copied to a temporary folder) and (b) a generated one of --entries
entries (bench/generate.py) -- it starts `casebook serve --port 0`, reads the
URL it prints, then repeatedly appends a unique marker to one entry's body and
measures the time from just before the write until a GET of that entry's page
returns the marker. It prints the median, p90, min and max over --edits edits,
and the server-side rebuild times the server printed. Then it does the same
with --title-edits edits of the entry's title, which touch every list showing
the entry (home page, kind list, facet value pages, related and similar
entries), so they cost more than body edits.

The page is polled every 2 ms over one keep-alive connection, so figures include
the watcher's debounce (20 ms) and batching window (30 ms), the rebuild, and up
to 2 ms of polling slack. Build the release binary first: cargo build --release.
"""

from __future__ import annotations

import argparse
import http.client
import os
import queue
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
START_TIMEOUT = 600.0  # the first build of a big catalogue on a busy machine
EDIT_TIMEOUT = 30.0
POLL = 0.002
SETTLE = 0.3  # between edits, so each edit is its own batch


def copy_shipped(dest: str) -> str:
    shutil.copy(os.path.join(REPO, "catalogue.yaml"), dest)
    shutil.copytree(os.path.join(REPO, "content"), os.path.join(dest, "content"))
    return "content/practices/p12.md"


def generate(dest: str, entries: int, seed: int) -> str:
    subprocess.run(
        [sys.executable, os.path.join(REPO, "bench", "generate.py"), "--entries", str(entries), "--seed", str(seed), dest],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    practices = sorted(os.listdir(os.path.join(dest, "content", "practices")))
    return "content/practices/" + practices[len(practices) // 2]


def page_path(entry_file: str) -> str:
    kind_dir, name = entry_file.split("/")[1:3]
    return f"/{kind_dir}/{name[:-3].lower()}/"


class Server:
    def __init__(self, binary: str, root: str):
        self.proc = subprocess.Popen(
            [binary, "serve", "--root", root, "--port", "0"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.stderr: list[str] = []
        threading.Thread(target=self._pump, args=(self.proc.stdout, self.lines.put), daemon=True).start()
        threading.Thread(target=self._pump, args=(self.proc.stderr, self.stderr.append), daemon=True).start()
        self.log: list[str] = []
        started = time.monotonic()
        self.port = None
        while self.port is None:
            left = START_TIMEOUT - (time.monotonic() - started)
            if left <= 0 or self.proc.poll() is not None:
                raise RuntimeError("server did not start:\n" + "".join(self.stderr))
            try:
                line = self.lines.get(timeout=left)
            except queue.Empty:
                continue
            self.log.append(line)
            m = re.match(r"serving at http://127\.0\.0\.1:(\d+)/", line)
            if m:
                self.port = int(m.group(1))
        self.first_build = next((l.strip() for l in self.log if l.startswith("built ")), "?")

    @staticmethod
    def _pump(stream, put):
        for line in stream:
            put(line)

    def drain(self) -> list[str]:
        out = []
        while True:
            try:
                out.append(self.lines.get_nowait())
            except queue.Empty:
                return out

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def edited(original: str, marker: str, field: str) -> str:
    """The entry with `marker` appended to its body, or put in its title."""
    if field == "title":
        lines = original.split("\n")
        for i, line in enumerate(lines):
            if line.startswith("title:"):
                lines[i] = f"title: Edited {marker}"
                return "\n".join(lines)
        raise RuntimeError("no title line")
    return original.rstrip("\n") + f"\n\n{marker}\n"


def measure(binary: str, root: str, entry_file: str, edits: int, title_edits: int) -> dict:
    server = Server(binary, root)
    try:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        path = page_path(entry_file)

        def get() -> str:
            nonlocal conn
            try:
                conn.request("GET", path)
                response = conn.getresponse()
                return response.read().decode("utf-8", "replace")
            except (http.client.HTTPException, OSError):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
                return ""

        if "<html" not in get():
            raise RuntimeError(f"{path} is not served")
        full = os.path.join(root, entry_file)
        with open(full, encoding="utf-8") as f:
            original = f.read()
        results = {}
        for field, count in (("body", edits), ("title", title_edits)):
            results[field] = edit_series(server, get, full, original, field, count)
        with open(full, "w", encoding="utf-8") as f:
            f.write(original)
        conn.close()
        return {"series": results, "first_build": server.first_build}
    finally:
        server.stop()


def edit_series(server, get, full: str, original: str, field: str, edits: int) -> dict:
    latencies = []
    server.drain()
    rebuilds = []
    for i in range(edits):
        marker = f"LATENCY-MARKER-{field}-{os.getpid()}-{i}"
        started = time.perf_counter()
        with open(full, "w", encoding="utf-8") as f:
            f.write(edited(original, marker, field))
        deadline = started + EDIT_TIMEOUT
        while marker not in get():
            if time.perf_counter() > deadline:
                raise RuntimeError(f"edit {i} not served after {EDIT_TIMEOUT} s")
            time.sleep(POLL)
        latencies.append((time.perf_counter() - started) * 1000)
        time.sleep(SETTLE)
        for line in server.drain():
            m = re.search(r"in (\d+) ms", line)
            if line.startswith("rebuilt") and m:
                rebuilds.append(int(m.group(1)))
    return {"latencies": latencies, "rebuilds": rebuilds}


def summarise(name: str, result: dict) -> str:
    out = [f"{name} (first build: {result['first_build']})"]
    for field, series in result["series"].items():
        lat = sorted(series["latencies"])
        if not lat:
            continue
        p90 = lat[min(len(lat) - 1, int(round(0.9 * (len(lat) - 1))))]
        rb = series["rebuilds"]
        rebuild = f"server rebuild median {statistics.median(rb):.0f} ms (max {max(rb)} ms)" if rb else "no rebuild lines"
        out.append(
            f"  {field} edits: {len(lat)}, median {statistics.median(lat):.0f} ms, p90 {p90:.0f} ms, "
            f"min {lat[0]:.0f} ms, max {lat[-1]:.0f} ms; {rebuild}"
        )
    return "\n".join(out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bin", default=os.path.join(REPO, "target", "release", "casebook"))
    parser.add_argument("--edits", type=int, default=30, help="body edits per catalogue")
    parser.add_argument("--title-edits", type=int, default=10, help="title edits per catalogue (0: none)")
    parser.add_argument("--entries", type=int, default=18000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--only", choices=["shipped", "generated"])
    args = parser.parse_args()
    if not os.path.exists(args.bin):
        print(f"{args.bin} not found: run cargo build --release first", file=sys.stderr)
        return 1
    print(f"nproc {os.cpu_count()}, {time.strftime('%Y-%m-%d %H:%M')}, {args.edits} edits each", flush=True)
    cases = []
    if args.only in (None, "shipped"):
        cases.append(("shipped catalogue", copy_shipped))
    if args.only in (None, "generated"):
        cases.append((f"generated {args.entries} entries", lambda d: generate(d, args.entries, args.seed)))
    for name, prepare in cases:
        with tempfile.TemporaryDirectory(prefix="casebook-serve-bench-") as root:
            entry = prepare(root)
            print(summarise(name, measure(args.bin, root, entry, args.edits, args.title_edits)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
