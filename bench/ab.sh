#!/usr/bin/env bash
# A/B of two glassnet versions through bench/run.py: the hand-written NumPy step and
# glassnet, one process per measurement, the two versions alternated round by round.
#
#   ROUNDS=3 bench/ab.sh                                   # OLD=1275b75, both sides' bench/ from it
#   ROUNDS=5 bench/ab.sh --workloads W1-b32,W4
#   ROUNDS=3 bench/ab.sh --threads 1 --workloads W1-b128,W1-b1024
#   ROUNDS=1 OLD=/tmp/old HARNESS=new bench/ab.sh --quick --workloads W3
#
# OLD: the old version, a commit (checked out with `git worktree add`, removed at the end)
#      or a folder holding its glassnet/ (default 1275b75, the engine before the one-engine
#      reshaping). The new version is this working tree's glassnet/, uncommitted changes
#      included.
# HARNESS: whose bench/ (run.py, the peers, the workloads) runs both sides: a commit, "old"
#      (the default: OLD's bench/, as the bench README's third and fourth sittings ran) or
#      "new" (this working tree's bench/). The same harness on both sides, so the NumPy
#      step the two are divided by is the same code.
# ROUNDS: rounds (default 3); each runs `run.py --frameworks numpy,glassnet --rounds 1` for
#      the new side then the old, the order reversed every other round.
# Other arguments go to run.py (--workloads, --threads, --quick, ...).
#
# Prints, per workload, glassnet / numpy on each side as the median (min-max) over the
# rounds, and new / old, the ratio of the two medians; then glassnet's tiny-op overhead
# (forward / forward+backward, microseconds) on each side. The raw reports stay in
# $AB_KEEP when it is set.
set -euo pipefail

ROUNDS=${ROUNDS:-3}
OLD=${OLD:-1275b75}
HARNESS=${HARNESS:-old}
case $ROUNDS in '' | *[!0-9]* | 0)
  echo "ab.sh: ROUNDS must be a whole number of at least 1, got '$ROUNDS'" >&2
  exit 2
  ;;
esac
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
python=${PYTHON:-python}
work=$(mktemp -d "${TMPDIR:-/tmp}/glassnet-ab.XXXXXX")
cleanup() {
  for t in "$work"/tree-*; do # (the worktrees checkout made: removed, and git told)
    if [[ -d $t ]]; then git -C "$repo" worktree remove --force "$t" || true; fi
  done
  if [[ -n ${AB_KEEP:-} ]]; then
    mkdir -p "$AB_KEEP" && cp "$work"/*.json "$work"/*.md "$AB_KEEP"/ 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
# A signal to the script alone (`kill <pid>`, SIGHUP when its terminal closes, or Ctrl-C):
# the measurement running, its own process group (bench/run.py and its worker), is stopped
# and waited for before the cleanup, so that nothing writes into $work after it is gone.
child=
stop() {
  trap - INT TERM HUP
  if [[ -n $child ]]; then
    kill -TERM -- "-$child" 2>/dev/null || true
    for _ in {1..50}; do # (up to 5 s, then killed)
      kill -0 -- "-$child" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL -- "-$child" 2>/dev/null || true
    wait "$child" 2>/dev/null || true
  fi
  exit $((128 + $1))
}
trap 'stop 2' INT
trap 'stop 15' TERM
trap 'stop 1' HUP

checkout() { # a commit -> a worktree of it; a folder -> itself
  if [[ -d $1 ]]; then
    [[ -f $1/glassnet/__init__.py ]] || { echo "ab.sh: '$1' holds no glassnet/ package" >&2; exit 2; }
    (cd "$1" && pwd)
  else
    git -C "$repo" rev-parse --verify --quiet "$1^{commit}" >/dev/null \
      || { echo "ab.sh: '$1' is neither a folder nor a commit of $repo" >&2; exit 2; }
    git -C "$repo" worktree add --detach --quiet "$work/tree-$2" "$1"
    echo "$work/tree-$2"
  fi
}

old_root=$(checkout "$OLD" old)
case $HARNESS in
  old) harness=$old_root/bench ;;
  new) harness=$repo/bench ;;
  *) harness=$(checkout "$HARNESS" harness)/bench ;;
esac
[[ -f $harness/run.py ]] || { echo "ab.sh: no run.py in $harness" >&2; exit 2; }

# Each side: the harness's bench/ beside that side's glassnet/ (run.py's workers import the
# glassnet beside their bench/ folder first).
for side in new old; do
  mkdir -p "$work/$side"
  cp -r "$harness" "$work/$side/bench"
done
ln -s "$repo/glassnet" "$work/new/glassnet"
ln -s "$old_root/glassnet" "$work/old/glassnet"

for ((r = 1; r <= ROUNDS; r++)); do
  if ((r % 2)); then order="new old"; else order="old new"; fi
  for side in $order; do
    echo "round $r/$ROUNDS: $side" >&2
    set -m # (the measurement in a process group of its own, waited for: see stop)
    (cd "$work/$side" && exec "$python" bench/run.py --frameworks numpy,glassnet --rounds 1 \
      --out "$work/$side-$r.md" --json "$work/$side-$r.json" "$@" >/dev/null) &
    child=$!
    set +m
    wait "$child"
    child=
  done
done

"$python" - "$work" "$ROUNDS" <<'PY'
import json, statistics, sys
from pathlib import Path

work, rounds = Path(sys.argv[1]), int(sys.argv[2])


def records(side, r):
    raw = json.loads((work / f"{side}-{r}.json").read_text())
    return raw["records"] if isinstance(raw, dict) else raw


ratio = {"new": {}, "old": {}}
tiny = {"new": [], "old": []}
for side in ratio:
    for r in range(1, rounds + 1):
        got = {}
        for rec in records(side, r):
            if rec.get("status") != "ok":
                continue
            if rec["job"] == "overhead" and rec["framework"] == "glassnet":
                tiny[side].append(list(rec["overhead_us"].values()))
            elif "throughput" in rec:
                got.setdefault(rec["job"], {})[rec["framework"]] = rec["throughput"]
        for job, fw in got.items():
            if "numpy" in fw and "glassnet" in fw:
                ratio[side].setdefault(job, []).append(fw["glassnet"] / fw["numpy"])


def cell(v):
    return f"{statistics.median(v):.3f} ({min(v):.2f}-{max(v):.2f})"


print(f"{rounds} interleaved rounds; glassnet / numpy per round, median (min-max)\n")
print("| workload | new / numpy | old / numpy | new / old |")
print("|---|---|---|---|")
for job in ratio["new"]:
    if job in ratio["old"]:
        n, o = ratio["new"][job], ratio["old"][job]
        print(f"| {job} | {cell(n)} | {cell(o)} | {statistics.median(n) / statistics.median(o):.3f} |")
if tiny["new"] and tiny["old"]:
    med = {s: [statistics.median(c) for c in zip(*tiny[s])] for s in tiny}
    fmt = {s: " / ".join(f"{v:.2f}" for v in med[s]) for s in med}
    rel = " / ".join(f"{a / b:.2f}" for a, b in zip(med["new"], med["old"]))
    print(f"| tiny op forward / +backward (µs) | {fmt['new']} | {fmt['old']} | {rel} |")
PY
