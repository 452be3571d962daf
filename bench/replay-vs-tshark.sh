#!/usr/bin/env bash
# Replay throughput of netrec against tshark on one large mixed pcap (issue 2, "Benchmark"):
#   (a) netrec replay FILE --output json            vs  tshark -r FILE -T json
#   (b) netrec replay FILE --trace event=net_packet_dns  vs  tshark -r FILE -Y dns -T json
#   (c) a header-field filter (issue 3): TCP SYNs, netrec's
#       --trace event=net_packet_tcp --trace net_packet_tcp.args.proto_tcp.SYN=1
#       vs  tshark -r FILE -Y tcp.flags.syn==1 -T json
# For each: wall time (hyperfine), packets per second, CPU time (user + system), peak RSS, and the
# ratio netrec/tshark in packets per second. Both ratios are printed: by wall time (what a user
# waits) and by CPU time (steadier when other jobs share the machine). Results are summarised on
# stdout; hyperfine's JSON stays in bench/out/.
#
#   bash bench/replay-vs-tshark.sh [--packets N] [--runs N] [--tshark-runs N] [--reuse-tshark]
#
# --packets  pcap size (default 1000000); the file bench/out/mixed-N.pcap is generated if missing.
# --runs     timed runs of each netrec command (default 3).
# --tshark-runs  timed runs of each tshark command (default 1: at 1M packets `tshark -T json`
#            alone takes over ten minutes on a small machine).
# --reuse-tshark  time netrec only and take tshark's figures from the last full run on the same
#            pcap (tshark does not change while netrec is being optimised).
set -euo pipefail

packets=1000000
runs=3
tshark_runs=1
reuse_tshark=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --packets) packets="$2"; shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    --tshark-runs) tshark_runs="$2"; shift 2 ;;
    --reuse-tshark) reuse_tshark=1; shift ;;
    *) echo "usage: bash bench/replay-vs-tshark.sh [--packets N] [--runs N] [--tshark-runs N] [--reuse-tshark]" >&2; exit 2 ;;
  esac
done

source "$(dirname "$0")/mixed-pcap.sh"

# bench NAME RUNS COMMAND: times COMMAND with hyperfine. /usr/bin/time inside the command appends
# each run's peak RSS (KiB) to a file; hyperfine's shell, which it subtracts, is not counted.
bench() {
  local name="$1" count="$2" cmd="$3"
  local rss="$out/$name.rss" json="$out/$name.json"
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
  echo "\$ hyperfine --runs $count --export-json $json '$timed'"
  hyperfine --runs "$count" --export-json "$json" --style basic "$timed"
}

bench netrec-json "$runs" "node bin/netrec.mjs replay $pcap --output json > /dev/null"
bench tshark-json "$tshark_runs" "tshark -r $pcap -T json > /dev/null"
bench netrec-dns "$runs" "node bin/netrec.mjs replay $pcap --trace event=net_packet_dns > /dev/null"
bench tshark-dns "$tshark_runs" "tshark -r $pcap -Y dns -T json > /dev/null"
bench netrec-syn "$runs" "node bin/netrec.mjs replay $pcap --trace event=net_packet_tcp --trace net_packet_tcp.args.proto_tcp.SYN=1 > /dev/null"
bench tshark-syn "$tshark_runs" "tshark -r $pcap -Y tcp.flags.syn==1 -T json > /dev/null"

echo
echo "# load after: $(cut -d' ' -f1-3 /proc/loadavg)"
# Not timed: what the runs produced, so a fast run cannot hide a broken decoder.
echo "# netrec net_packet_dns events: $(node bin/netrec.mjs replay "$pcap" --trace event=net_packet_dns | wc -l)"
echo "# netrec SYN events: $(node bin/netrec.mjs replay "$pcap" --trace event=net_packet_tcp --trace net_packet_tcp.args.proto_tcp.SYN=1 | wc -l)"

# Summary from hyperfine's JSON: median wall time, packets/s, mean CPU time, peak RSS, ratios.
node --input-type=module - "$out" "$packets" <<'EOF'
import { readFileSync } from 'node:fs';
const [dir, packets] = process.argv.slice(2);
const stat = (name) => {
  const { results: [r] } = JSON.parse(readFileSync(`${dir}/${name}.json`, 'utf8'));
  const rss = readFileSync(`${dir}/${name}.rss`, 'utf8').trim().split('\n').map(Number);
  const cpu = r.user + r.system;
  return { name, runs: r.times.length, median: r.median, min: r.min, max: r.max, pps: packets / r.median, cpu, rssMiB: Math.max(...rss) / 1024 };
};
const num = (n, width, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }).padStart(width);
const row = (s) =>
  `${s.name.padEnd(12)} ${num(s.runs, 4)} ${num(s.median, 9, 2)} ${`${s.min.toFixed(2)}-${s.max.toFixed(2)}`.padStart(15)} ` +
  `${num(s.pps, 11)} ${num(s.cpu, 9, 2)} ${num(packets / s.cpu, 14)} ${num(s.rssMiB, 8)}`;
const heads = [['runs', 4], ['median s', 9], ['min-max s', 15], ['packets/s', 11], ['CPU s', 9], ['packets/CPU-s', 14], ['RSS MiB', 8]];
console.log(`\n${'command'.padEnd(12)} ${heads.map(([h, w]) => h.padStart(w)).join(' ')}`);
for (const [a, b] of [['netrec-json', 'tshark-json'], ['netrec-dns', 'tshark-dns'], ['netrec-syn', 'tshark-syn']]) {
  const n = stat(a);
  const t = stat(b);
  console.log(row(n));
  console.log(row(t));
  console.log(`${a} / ${b}: ${(n.pps / t.pps).toFixed(1)}x by wall time, ${(t.cpu / n.cpu).toFixed(1)}x by CPU time (target 10x)`);
}
EOF
