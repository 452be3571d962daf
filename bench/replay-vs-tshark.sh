#!/usr/bin/env bash
# Replay throughput of netrec against tshark on one large generated pcap (issue 2, "Benchmark";
# issue 16):
#   (a) netrec replay FILE --output json            vs  tshark -r FILE -T json
#   (b) netrec replay FILE --trace event=net_packet_dns  vs  tshark -r FILE -Y dns -T json
#   (c) a header-field filter (issue 3): TCP SYNs, netrec's
#       --trace event=net_packet_tcp --trace net_packet_tcp.args.proto_tcp.SYN=1
#       vs  tshark -r FILE -Y tcp.flags.syn==1 -T json
# For each: wall time (hyperfine), packets and events per second, CPU time (user + system), peak
# RSS, the load average when the command started, and the ratio netrec/tshark by wall time (what
# a user waits) and by CPU time (steadier when other jobs share the machine), both from this run.
# Results are summarised on stdout; hyperfine's JSON stays in bench/out/.
#
#   bash bench/replay-vs-tshark.sh [--profile mixed|dns] [--packets N] [--runs N] [--tshark-runs N]
#        [--reuse-tshark] [--skip-syn] [--compare-threads]
#
# --profile  the traffic (bench/gen-mixed-pcap.ts --profile): `mixed` (default), the project's
#            mix with large TLS/HTTP payloads, or `dns`, small packets, 60% DNS (issue 16).
# --packets  pcap size (default 1000000); the file bench/out/PROFILE-N.pcap is generated if missing.
# --runs     timed runs of each netrec command (default 3).
# --tshark-runs  timed runs of each tshark command (default 1: at 1M packets `tshark -T json`
#            alone takes over ten minutes on a small machine).
# --reuse-tshark  time netrec only and take tshark's figures from the last full run on the same
#            pcap (tshark does not change while netrec is being optimised).
# --skip-syn leave out (c).
# --compare-threads  also time netrec with `--threads 1` (one thread, no workers) and `--threads 2`
#                    in the same run, and check that both print the same bytes.
set -euo pipefail

packets=1000000
runs=3
tshark_runs=1
reuse_tshark=0
skip_syn=0
compare_threads=0
profile=mixed
usage="usage: bash bench/replay-vs-tshark.sh [--profile mixed|dns] [--packets N] [--runs N] [--tshark-runs N] [--reuse-tshark] [--skip-syn] [--compare-threads]"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --profile) profile="$2"; shift 2 ;;
    --packets) packets="$2"; shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    --tshark-runs) tshark_runs="$2"; shift 2 ;;
    --reuse-tshark) reuse_tshark=1; shift ;;
    --skip-syn) skip_syn=1; shift ;;
    --compare-threads) compare_threads=1; shift ;;
    *) echo "$usage" >&2; exit 2 ;;
  esac
done
[[ $profile == mixed || $profile == dns ]] || { echo "$usage" >&2; exit 2; }

source "$(dirname "$0")/mixed-pcap.sh"
tag="$out/$profile-$packets"

# bench NAME RUNS COMMAND: times COMMAND with hyperfine. /usr/bin/time inside the command appends
# each run's peak RSS (KiB) to a file; hyperfine's shell, which it subtracts, is not counted. The
# load average at the start is kept beside the timing.
bench() {
  local name="$1" count="$2" cmd="$3"
  local rss="$tag-$name.rss" json="$tag-$name.json"
  local timed="/usr/bin/time -f %M -a -o $rss $cmd"
  echo
  echo "## $name"
  echo "\$ $cmd"
  if [[ $reuse_tshark == 1 && $name == tshark-* ]]; then
    grep -qF -- "$cmd" "$json" 2>/dev/null || { echo "bench: no earlier $name timing of $pcap in $json" >&2; exit 1; }
    echo "(reusing the timing in $json, from $(date -r "$json" '+%F %T'))"
    return
  fi
  rm -f "$rss"
  cut -d' ' -f1-3 /proc/loadavg > "$tag-$name.load"
  echo "\$ hyperfine --runs $count --export-json $json '$timed'"
  hyperfine --runs "$count" --export-json "$json" --style basic "$timed"
}

# count NAME COMMAND: the events (lines) COMMAND prints, not timed, so a fast run cannot hide a
# broken decoder and events/s can be given.
count() {
  local lines
  lines=$(eval "$2" | wc -l)
  echo "$lines" > "$tag-$1.events"
  echo "# $1: $lines events"
}

json_cmd="replay $pcap --output json"
dns_cmd="replay $pcap --trace event=net_packet_dns"
syn_cmd="replay $pcap --trace event=net_packet_tcp --trace net_packet_tcp.args.proto_tcp.SYN=1"
pairs="netrec-json:tshark-json netrec-dns:tshark-dns"
bench netrec-json "$runs" "node bin/netrec.mjs $json_cmd > /dev/null"
[[ $compare_threads == 1 ]] && bench netrec1-json "$runs" "node bin/netrec.mjs $json_cmd --threads 1 > /dev/null"
[[ $compare_threads == 1 ]] && bench netrec2-json "$runs" "node bin/netrec.mjs $json_cmd --threads 2 > /dev/null"
bench tshark-json "$tshark_runs" "tshark -r $pcap -T json > /dev/null"
bench netrec-dns "$runs" "node bin/netrec.mjs $dns_cmd > /dev/null"
[[ $compare_threads == 1 ]] && bench netrec1-dns "$runs" "node bin/netrec.mjs $dns_cmd --threads 1 > /dev/null"
[[ $compare_threads == 1 ]] && bench netrec2-dns "$runs" "node bin/netrec.mjs $dns_cmd --threads 2 > /dev/null"
bench tshark-dns "$tshark_runs" "tshark -r $pcap -Y dns -T json > /dev/null"
if [[ $skip_syn == 0 ]]; then
  pairs="$pairs netrec-syn:tshark-syn"
  bench netrec-syn "$runs" "node bin/netrec.mjs $syn_cmd > /dev/null"
  bench tshark-syn "$tshark_runs" "tshark -r $pcap -Y tcp.flags.syn==1 -T json > /dev/null"
fi
if [[ $compare_threads == 1 ]]; then
  pairs="$pairs netrec1-json:tshark-json netrec2-json:tshark-json netrec1-dns:tshark-dns netrec2-dns:tshark-dns"
fi

echo
echo "# load after: $(cut -d' ' -f1-3 /proc/loadavg)"
count netrec-json "node bin/netrec.mjs $json_cmd"
count netrec-dns "node bin/netrec.mjs $dns_cmd"
[[ $skip_syn == 0 ]] && count netrec-syn "node bin/netrec.mjs $syn_cmd"
if [[ $compare_threads == 1 ]]; then
  cp "$tag-netrec-json.events" "$tag-netrec1-json.events"
  cp "$tag-netrec-dns.events" "$tag-netrec1-dns.events"
  cp "$tag-netrec-json.events" "$tag-netrec2-json.events"
  cp "$tag-netrec-dns.events" "$tag-netrec2-dns.events"
  # The workers' output must be the same bytes as one thread's.
  cmp <(node bin/netrec.mjs $dns_cmd --threads 2) <(node bin/netrec.mjs $dns_cmd --threads 1) && echo "# DNS output identical with --threads 1 and 2"
  cmp <(node bin/netrec.mjs $json_cmd --threads 2) <(node bin/netrec.mjs $json_cmd --threads 1) && echo "# JSON output identical with --threads 1 and 2"
fi

# Summary from hyperfine's JSON: median wall time, packets/s, events/s, mean CPU time, peak RSS,
# load average at the start, ratios.
node --input-type=module - "$tag" "$packets" "$pairs" <<'JS'
import { existsSync, readFileSync } from 'node:fs';
const [tag, packets, pairs] = process.argv.slice(2);
const stat = (name) => {
  const { results: [r] } = JSON.parse(readFileSync(`${tag}-${name}.json`, 'utf8'));
  const rss = readFileSync(`${tag}-${name}.rss`, 'utf8').trim().split('\n').map(Number);
  const cpu = r.user + r.system;
  const events = existsSync(`${tag}-${name}.events`) ? Number(readFileSync(`${tag}-${name}.events`, 'utf8')) : NaN;
  const load = existsSync(`${tag}-${name}.load`) ? readFileSync(`${tag}-${name}.load`, 'utf8').trim() : '?';
  return { name, runs: r.times.length, median: r.median, min: r.min, max: r.max, pps: packets / r.median, eps: events / r.median, cpu, user: r.user, system: r.system, rssMiB: Math.max(...rss) / 1024, load };
};
const num = (n, width, digits = 0) => (Number.isNaN(n) ? '-' : n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })).padStart(width);
const row = (s) =>
  `${s.name.padEnd(12)} ${num(s.runs, 4)} ${num(s.median, 9, 2)} ${`${s.min.toFixed(2)}-${s.max.toFixed(2)}`.padStart(15)} ` +
  `${num(s.pps, 11)} ${num(s.eps, 11)} ${num(s.cpu, 8, 2)} ${num(s.user, 7, 2)} ${num(s.system, 7, 2)} ${num(s.rssMiB, 8)}  ${s.load}`;
const heads = [['runs', 4], ['median s', 9], ['min-max s', 15], ['packets/s', 11], ['events/s', 11], ['CPU s', 8], ['user s', 7], ['sys s', 7], ['RSS MiB', 8]];
console.log(`\n${'command'.padEnd(12)} ${heads.map(([h, w]) => h.padStart(w)).join(' ')}  load at start`);
const shown = new Set();
for (const pair of pairs.split(' ')) {
  const [a, b] = pair.split(':');
  const n = stat(a);
  const t = stat(b);
  for (const s of [n, t]) if (!shown.has(s.name)) { console.log(row(s)); shown.add(s.name); }
  console.log(`  ${a} / ${b}: ${(n.pps / t.pps).toFixed(1)}x by wall time, ${(t.cpu / n.cpu).toFixed(1)}x by CPU time`);
}
JS
