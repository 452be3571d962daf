# Sourced by the benchmarks that time netrec against tshark on bench/out/mixed-$packets.pcap
# (replay-vs-tshark.sh, export-vs-tshark.sh): checks the tools, generates the pcap when it is
# missing, prints what the figures depend on, and reads the pcap once so that both tools then
# read it from the page cache. Expects $packets and optionally $profile (gen-mixed-pcap.ts's
# --profile: mixed, the default, or dns); sets $out and $pcap; runs from the repository.
cd "$(dirname "${BASH_SOURCE[0]}")/.."
out=bench/out
mkdir -p "$out"
profile="${profile:-mixed}"
pcap="$out/$profile-$packets.pcap"
for tool in hyperfine tshark /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is required" >&2; exit 1; }
done

if [[ ! -f "$pcap" ]]; then
  echo "# generating $pcap"
  echo "\$ npx tsx bench/gen-mixed-pcap.ts --packets $packets --profile $profile $pcap"
  npx tsx bench/gen-mixed-pcap.ts --packets "$packets" --profile "$profile" "$pcap.tmp"
  mv "$pcap.tmp" "$pcap"
fi

echo "# machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(free -g | awk '/^Mem:/ {print $2}') GiB RAM"
echo "# node $(node --version), $(tshark --version 2>/dev/null | head -1), $(hyperfine --version)"
# src/ changes while netrec is being optimised: name the exact code that was measured.
echo "# netrec: commit $(git rev-parse --short HEAD), $(git status --porcelain -- src | wc -l) uncommitted change(s) in src/"
echo "# pcap: $pcap, $packets packets, $(stat -c %s "$pcap") bytes"
echo "# load before: $(cut -d' ' -f1-3 /proc/loadavg)"
cat "$pcap" > /dev/null
