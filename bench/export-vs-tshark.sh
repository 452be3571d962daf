#!/usr/bin/env bash
# Export throughput of netrec against tshark on one large mixed pcap (issue 15, "Speed"), in the
# same run, alternating the two so that both see the same machine load:
#   netrec export FILE -w OUT.pcapng          vs  tshark -r FILE -w OUT.pcapng
#   netrec export FILE -w OUT.pcap -F pcap    vs  tshark -r FILE -w OUT.pcap -F pcap (nanosecond)
# For each: wall time (hyperfine, median of --runs), packets per second, CPU time (user +
# system), peak RSS; the outputs are removed before every run (overwriting a 500 MB file costs
# both tools the same page-cache work, and is not what is measured). Results are summarised on
# stdout; hyperfine's JSON stays in bench/out/.
#
#   bash bench/export-vs-tshark.sh [--packets N] [--runs N]
#
# --packets  pcap size (default 1000000); bench/out/mixed-N.pcap is generated if missing.
# --runs     timed runs of each command (default 5).
set -euo pipefail

packets=1000000
runs=5
while [[ $# -gt 0 ]]; do
  case "$1" in
    --packets) packets="$2"; shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    *) echo "usage: bash bench/export-vs-tshark.sh [--packets N] [--runs N]" >&2; exit 2 ;;
  esac
done

source "$(dirname "$0")/mixed-pcap.sh"
# The built CLI, as a user runs it (npm run build first).
netrec="node bin/netrec.mjs"
echo "# netrec run as: $netrec export"

# One hyperfine call per format with both commands: their runs interleave with the same load.
bench() {
  local name="$1" netrec_cmd="$2" tshark_cmd="$3" target="$4"
  local json="$out/export-$name.json"
  rm -f "$out/export-$name-netrec.rss" "$out/export-$name-tshark.rss"
  echo
  echo "## $name"
  echo "\$ $netrec_cmd"
  echo "\$ $tshark_cmd"
  hyperfine --runs "$runs" --warmup 1 --prepare "rm -f $target" --export-json "$json" --style basic \
    -n netrec "/usr/bin/time -f %M -a -o $out/export-$name-netrec.rss $netrec_cmd" \
    -n tshark "/usr/bin/time -f %M -a -o $out/export-$name-tshark.rss $tshark_cmd"
}

bench pcapng "$netrec export $pcap -w $out/export.pcapng" "tshark -r $pcap -w $out/export.pcapng" "$out/export.pcapng"
bench pcap "$netrec export $pcap -w $out/export.pcap -F pcap" "tshark -r $pcap -w $out/export.pcap -F nsecpcap" "$out/export.pcap"

echo
echo "# load after: $(cut -d' ' -f1-3 /proc/loadavg)"
# Not timed: the export holds every packet, as tshark reads it.
rm -f "$out/export.pcapng"
$netrec export "$pcap" -w "$out/export.pcapng"
echo "# packets tshark reads back from netrec's pcapng: $(capinfos -c -M "$out/export.pcapng" | awk '/Number of packets/ {print $NF}')"
rm -f "$out/export.pcapng" "$out/export.pcap"

node --input-type=module - "$out" "$packets" <<'EOF'
import { readFileSync } from 'node:fs';
const [dir, packets] = process.argv.slice(2);
const num = (n, width, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }).padStart(width);
const heads = [['runs', 4], ['median s', 9], ['min-max s', 15], ['packets/s', 11], ['CPU s', 9], ['RSS MiB', 8]];
console.log(`\n${'command'.padEnd(16)} ${heads.map(([h, w]) => h.padStart(w)).join(' ')}`);
for (const format of ['pcapng', 'pcap']) {
  const { results } = JSON.parse(readFileSync(`${dir}/export-${format}.json`, 'utf8'));
  const stats = results.map((r) => {
    const rss = readFileSync(`${dir}/export-${format}-${r.command}.rss`, 'utf8').trim().split('\n').map(Number);
    return { name: `${r.command} ${format}`, runs: r.times.length, median: r.median, min: r.min, max: r.max, cpu: r.user + r.system, rss: Math.max(...rss) / 1024 };
  });
  for (const s of stats) {
    console.log(`${s.name.padEnd(16)} ${num(s.runs, 4)} ${num(s.median, 9, 2)} ${`${s.min.toFixed(2)}-${s.max.toFixed(2)}`.padStart(15)} ${num(packets / s.median, 11)} ${num(s.cpu, 9, 2)} ${num(s.rss, 8)}`);
  }
  const [n, t] = stats;
  console.log(`netrec / tshark (${format}): ${(t.median / n.median).toFixed(2)}x by wall time, ${(t.cpu / n.cpu).toFixed(2)}x by CPU time (target: >= 1x)`);
}
EOF
