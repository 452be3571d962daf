#!/usr/bin/env bash
# `export --format parquet` against `replay --output json` (its baseline) on one generated fleet
# pcap (issue 18), and optionally against a peer checkout of netrec (an older commit, built), in
# the same run, alternating, so that all see the same machine load. For each: wall seconds, CPU
# seconds (user + system, DuckDB's threads included) and peak RSS from /usr/bin/time, and the
# load average before the run. CPU and RSS are the figures to compare on a shared machine.
#
#   npm run build && bash bench/export-parquet.sh [--packets N] [--runs N] [--peer DIR]
#
# --packets  pcap size (default 100000): bench/out/fleet-N-seed1.pcap, generated if missing.
# --runs     runs of each command (default 3).
# --peer     a built netrec checkout to compare with, e.g. made by
#            git archive 596fe46 | tar -x -C /tmp/peer; ln -s $PWD/node_modules /tmp/peer/; (cd /tmp/peer && npm run build)
set -euo pipefail

packets=100000
runs=3
peer=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --packets) packets="$2"; shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    --peer) peer="$2"; shift 2 ;;
    *) echo "usage: bash bench/export-parquet.sh [--packets N] [--runs N] [--peer DIR]" >&2; exit 2 ;;
  esac
done

pcap="bench/out/fleet-$packets-seed1.pcap"
mkdir -p bench/out
[[ -f "$pcap" ]] || npx tsx bench/gen-mixed-pcap.ts --packets "$packets" --seed 1 "$pcap"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# One timed run: label, then the command; prints a markdown row.
measure() {
  local label="$1"; shift
  local load; load=$(cut -d' ' -f1 /proc/loadavg)
  rm -rf "$out/tables"
  /usr/bin/time -f '%e %U %S %M' -o "$out/time" "$@" >/dev/null 2>"$out/stderr" || { cat "$out/stderr" >&2; exit 1; }
  awk -v label="$label" -v load="$load" -v n="$packets" '{ printf "| %s | %.2f | %.1f | %.0f | %.0f | %s |\n", label, $1, $2 + $3, n / $1, $4 / 1024, load }' "$out/time"
}

echo "# $packets packets ($pcap), $runs runs each, $(nproc) CPUs"
echo
echo "| command | wall s | CPU s | packets/s | max RSS MiB | load before |"
echo "|---|---:|---:|---:|---:|---:|"
for _ in $(seq "$runs"); do
  measure "replay --output json" node bin/netrec.mjs replay "$pcap" --output json
  measure "export --format parquet" node bin/netrec.mjs export "$pcap" --format parquet -w "$out/tables"
  if [[ -n "$peer" ]]; then
    measure "export --format parquet ($peer)" node "$peer/bin/netrec.mjs" export "$pcap" --format parquet -w "$out/tables"
  fi
done
