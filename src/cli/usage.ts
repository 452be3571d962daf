export const USAGE = `netrec — record and replay network packets with the process that owns them

Usage:
  netrec replay <file...> [--output json|table] [--trace EXPR]...
  netrec info <recording.nev>
  netrec verify <recording.nev> [--repair]
  netrec convert <capture> -o <recording.nev> [--force] [--compress]
                 [--rotate-size SIZE] [--rotate-seconds N] [--max-segments N]
  netrec --help | --version

Commands:
  replay   Decode pcap / pcapng files and print Tracee v0.10 network events.
           The format is detected from the file's first bytes; '-' reads stdin.
  info     Summarise a .nev recording (directory or segment file): segments, sealed
           or not, time span, packets per protocol, bytes, losses, processes.
  verify   Check a recording's framing, checksums and footers; --repair seals a
           segment left unsealed by a stopped writer (no record is changed).
  convert  Write a pcap / pcapng capture as a .nev recording (no process context).
           --rotate-size takes KiB/MiB/GiB or k/M/G; --rotate-seconds splits on
           multiples of capture time; --max-segments keeps the newest N;
           --compress writes lz4 blocks; --force replaces an existing recording.

Options:
  -o, --output FORMAT   json (default; one event per line) or table.
                        Tracee's spelling format:json / format:table is accepted.
  -t, --trace EXPR      Select events: event=net_packet_dns,net_packet_tcp, a prefix
                        wildcard event=net_packet_dns*, event!=net_packet_ipv6,
                        set=network_events. Repeatable. Default: all nine events.
                        Also spelled --filter / -f.
  -h, --help            Show this help.
  -V, --version         Show netrec's version.

Events: net_packet_ipv4 (2007), net_packet_ipv6 (2008), net_packet_tcp (2009),
  net_packet_udp (2010), net_packet_icmp (2011), net_packet_icmpv6 (2012),
  net_packet_dns (2013), net_packet_dns_request (2014), net_packet_dns_response (2015).

Exit status: 0 success, 1 an input error was reported (processing went on), 2 usage error.

Examples:
  netrec replay capture.pcap
  netrec replay capture.pcapng --trace event=net_packet_dns_response --output table
  tcpdump -w - -i any port 53 | netrec replay - -t e=net_packet_dns*
`;
