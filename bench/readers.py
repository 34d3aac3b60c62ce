#!/usr/bin/env python3
"""What readers get: the home page's size, filters and search, side by side
with Pagefind, in Debian's Chromium. A benchmark, not a test.

    python3 bench/readers.py SITE_OUTPUT [--runs 5] [--pagefind] [--label NAME]
                             [--query WORD] [--query2 WORD] [--id ID] [--compare OTHER_SITE]

SITE_OUTPUT is a built site (casebook build --output ...). With --pagefind,
`npx pagefind --site SITE_OUTPUT` must have been run on it (pagefind/ inside):
the same query is then timed with Pagefind's JS API in the same page.

Two profiles: desktop (1280x1024) and phone (390x844, 4x CPU slowdown via
CDP Emulation.setCPUThrottlingRate). The site is served from a threaded
loopback HTTP server; chromedriver is driven over its HTTP API with the
standard library only. Per run, in a fresh page load:

- bytes: index.html, everything the first visit transferred until the filters
  are usable (decoded body sizes: uncompressed), the largest HTML page;
- filters usable: navigation start to browse.js's first drawn list
  (`casebookBrowse.readyAt`); the longest main-thread task during load
  (PerformanceObserver 'longtask', registered before the page's scripts);
- tick: a checkbox clicked to the list drawn and the next frame;
- first search: the query typed to its results drawn (and the bytes of search
  files it loaded); a later query likewise; whether an exact id comes first;
- Pagefind: pagefind.init() + search(query) + the first 5 results' data();
  then search(query2) + its first 5 results' data() as the later query;
- with --compare, the other site's filters-usable time, in the same runs.

Prints a JSON object of medians per profile on stdout.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import os
import shutil
import socket
import socketserver
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Quiet(http.server.SimpleHTTPRequestHandler):
    # Keep-alive, as any real static server has it (HTTP/1.0 would open a
    # connection per file, which costs casebook's and Pagefind's fragments alike).
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass


def serve(root: str) -> str:
    handler = functools.partial(Quiet, directory=root)
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}/"


class Driver:
    """chromedriver over its W3C HTTP API."""

    def __init__(self, width: int, height: int):
        self.port = free_port()
        self.proc = subprocess.Popen(
            ["chromedriver", f"--port={self.port}"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.base = f"http://127.0.0.1:{self.port}"
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", self.port), 0.1).close()
                break
            except OSError:
                time.sleep(0.05)
        self.profile = tempfile.mkdtemp()
        caps = {
            "capabilities": {
                "alwaysMatch": {
                    "goog:chromeOptions": {
                        "binary": shutil.which("chromium") or "/usr/bin/chromium",
                        "args": [
                            "--headless=new", "--no-sandbox", "--disable-gpu",
                            "--disable-dev-shm-usage", "--no-first-run",
                            "--disable-background-networking", "--disable-sync",
                            f"--window-size={width},{height}",
                            f"--user-data-dir={self.profile}",
                        ],
                    }
                }
            }
        }
        self.session = self.call("POST", "/session", caps)["sessionId"]
        # Headless windows are at least some 500 px wide: the viewport is set
        # exactly, as a phone has it, through CDP.
        self.cdp("Emulation.setDeviceMetricsOverride", {
            "width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600,
        })

    def call(self, method: str, path: str, body=None):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.base + path, data=data, method=method)
        req.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(req, timeout=600) as r:
            return json.loads(r.read())["value"]

    def s(self, method: str, path: str, body=None):
        return self.call(method, f"/session/{self.session}{path}", body)

    def cdp(self, cmd: str, params: dict):
        return self.s("POST", "/goog/cdp/execute", {"cmd": cmd, "params": params})

    def goto(self, url: str):
        self.s("POST", "/url", {"url": url})

    def js(self, script: str, *args):
        return self.s("POST", "/execute/sync", {"script": script, "args": list(args)})

    def js_async(self, script: str, *args):
        return self.s("POST", "/execute/async", {"script": script, "args": list(args)})

    def wait(self, condition: str, timeout: float = 120):
        end = time.time() + timeout
        while time.time() < end:
            if self.js(f"return !!({condition});"):
                return
            time.sleep(0.02)
        raise TimeoutError(condition)

    def quit(self):
        try:
            self.s("DELETE", "")
        finally:
            self.proc.kill()
            self.proc.wait()
            shutil.rmtree(self.profile, ignore_errors=True)


LONG_TASKS = """
window.__longest = 0;
try {
  new PerformanceObserver(function (list) {
    list.getEntries().forEach(function (e) { if (e.duration > window.__longest) window.__longest = e.duration; });
  }).observe({ type: 'longtask', buffered: true });
} catch (e) {}
"""

RESOURCE_BYTES = """
var nav = performance.getEntriesByType('navigation')[0];
var total = nav ? nav.decodedBodySize : 0;
var search = 0;
performance.getEntriesByType('resource').forEach(function (r) {
  total += r.decodedBodySize;
  if (/\\/(search|browse-items|pagefind)\\//.test(r.name)) search += r.decodedBodySize;
});
return [total, search];
"""

TICK = """
var done = arguments[arguments.length - 1];
var input = document.querySelector(arguments[0]);
var t0 = performance.now();
input.click();
(function wait() {
  if (window.casebookBrowse.pending) return setTimeout(wait, 1);
  requestAnimationFrame(function () { setTimeout(function () { done(performance.now() - t0); }, 0); });
})();
"""

SEARCH = """
var done = arguments[arguments.length - 1];
var q = arguments[0];
var input = document.querySelector('#filter-q');
var before = performance.getEntriesByType('resource').length;
var t0 = performance.now();
input.value = q;
// Submitted (as Enter does), so the typing debounce is not counted.
input.form.dispatchEvent(new Event('submit', { cancelable: true }));
(function wait() {
  var ok = new URLSearchParams(location.search).get('q') === q && !window.casebookBrowse.pending
    && document.documentElement.dataset.browse === 'ready' && window.casebookBrowse.lastSearchQuery === q;
  if (!ok) return setTimeout(wait, 1);
  requestAnimationFrame(function () { setTimeout(function () {
    var bytes = 0;
    performance.getEntriesByType('resource').slice(before).forEach(function (r) { bytes += r.decodedBodySize; });
    var first = document.querySelector('[data-entry]');
    done([performance.now() - t0, bytes, first ? first.getAttribute('data-entry') : null]);
  }, 0); });
})();
"""

PAGEFIND = """
var done = arguments[arguments.length - 1];
var q = arguments[0];
var arguments_q2 = arguments[1];
var before = performance.getEntriesByType('resource').length;
var t0 = performance.now();
import('./pagefind/pagefind.js').then(function (pf) {
  return pf.init().then(function () { return pf.search(q); }).then(function (r) {
    return Promise.all(r.results.slice(0, 5).map(function (x) { return x.data(); })).then(function (d) {
      var bytes = 0;
      performance.getEntriesByType('resource').slice(before).forEach(function (e) { bytes += e.decodedBodySize; });
      var t1 = performance.now() - t0;
      var t2 = performance.now();
      // The later query: another word, as casebook's later query is, with its first 5 results' data.
      return pf.search(arguments_q2).then(function (r2) {
        return Promise.all(r2.results.slice(0, 5).map(function (x) { return x.data(); })).then(function () {
          done([t1, bytes, r.results.length, performance.now() - t2, d.length ? d[0].url : null]);
        });
      });
    });
  });
}).catch(function (e) { done(['error', String(e)]); });
"""


def largest_html(root: str) -> tuple[int, str]:
    best = (0, "")
    for folder, _, files in os.walk(root):
        for name in files:
            if name.endswith(".html"):
                path = os.path.join(folder, name)
                size = os.path.getsize(path)
                if size > best[0]:
                    best = (size, os.path.relpath(path, root))
    return best


def usable_run(d: Driver, home: str) -> float:
    """A fresh load of `home`: navigation start to the filters usable (ms)."""
    d.goto("about:blank")
    d.goto(home)
    d.wait("window.casebookBrowse && window.casebookBrowse.readyAt > 0")
    return d.js("return window.casebookBrowse.readyAt;")


def one_run(d: Driver, home: str, args, pagefind: bool) -> dict:
    usable = usable_run(d, home)
    total, _ = d.js(RESOURCE_BYTES)
    out = {
        "usable_ms": usable,
        "longest_task_ms": d.js("return window.__longest || 0;"),
        "first_visit_bytes": total,
    }
    ticks = []
    for value in args.ticks:
        sel = f'form[data-filters] input[value="{value}"]'
        ticks.append(d.js_async(TICK, sel))
        ticks.append(d.js_async(TICK, sel))
    out["tick_ms"] = statistics.median(ticks)
    first = d.js_async(SEARCH, args.query)
    out["first_search_ms"], out["first_search_bytes"], _ = first
    later = d.js_async(SEARCH, args.query2)
    out["later_search_ms"] = later[0]
    exact = d.js_async(SEARCH, args.id)
    out["exact_id_first"] = exact[2] == args.id
    if pagefind:
        d.goto(home)
        d.wait("document.readyState === 'complete'")
        r = d.js_async(PAGEFIND, args.query, args.query2)
        if r and r[0] != "error":
            out["pagefind_first_search_ms"], out["pagefind_first_search_bytes"] = r[0], r[1]
            out["pagefind_later_search_ms"] = r[3]
        else:
            out["pagefind_error"] = r
    return out


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("site")
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--pagefind", action="store_true")
    p.add_argument("--label", default="")
    p.add_argument("--query", default="telephone")
    p.add_argument("--query2", default="people")
    p.add_argument("--id", default="P12")
    p.add_argument("--ticks", nargs="*", default=["DK", "commitment", "employment"])
    p.add_argument("--profiles", nargs="*", default=["desktop", "phone"])
    p.add_argument("--compare", help="another built site (the shipped one): its filters-usable "
                   "time is measured in the same runs, alternating, and the ratio reported")
    args = p.parse_args()
    base = serve(args.site)
    other = serve(args.compare) if args.compare else None
    size, page = largest_html(args.site)
    result = {
        "label": args.label,
        "home_bytes": os.path.getsize(os.path.join(args.site, "index.html")),
        "largest_html_bytes": size,
        "largest_html": page,
    }
    for profile in args.profiles:
        width, height, cpu = (1280, 1024, 1) if profile == "desktop" else (390, 844, 4)
        d = Driver(width, height)
        try:
            d.cdp("Page.addScriptToEvaluateOnNewDocument", {"source": LONG_TASKS})
            if cpu > 1:
                d.cdp("Emulation.setCPUThrottlingRate", {"rate": cpu})
            runs = []
            for i in range(args.runs):
                runs.append(one_run(d, base, args, args.pagefind))
                if other:
                    runs[-1]["compare_usable_ms"] = usable_run(d, other)
                print(f"{profile} run {i + 1}: {json.dumps(runs[-1])}", file=sys.stderr)
        finally:
            d.quit()
        keys = sorted({k for r in runs for k in r})
        medians = {}
        for k in keys:
            values = [r[k] for r in runs if k in r]
            if values and all(isinstance(v, bool) for v in values):
                medians[k] = all(values)
            elif values and all(isinstance(v, (int, float)) for v in values):
                medians[k] = round(statistics.median(values), 1)
            else:
                medians[k] = values[0] if values else None
        if other:
            medians["usable_ratio_vs_compare"] = round(
                medians["usable_ms"] / medians["compare_usable_ms"], 2)
        result[profile] = medians
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
