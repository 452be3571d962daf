export const USAGE = `netrec — record and replay network packets with the process that owns them

Usage:
  netrec record -o <recording.nev> [--duration TIME] [--snaplen N] [--cgroup PATH]
                 [--trace EXPR]... [--print [--output json|table]] [--force] [--compress]
                 [--rotate-size SIZE] [--rotate-seconds N] [--max-segments N] [--buffer-size SIZE]
  netrec replay <file...> [--output json|table] [--trace EXPR]...
  netrec tui <capture|recording> [--trace EXPR]...
  netrec info <recording.nev>
  netrec verify <recording.nev> [--repair]
  netrec convert <capture> -o <recording.nev> [--force] [--compress]
                 [--rotate-size SIZE] [--rotate-seconds N] [--max-segments N]
  netrec --help | --version

Commands:
  record   Capture every IPv4/IPv6 packet of this host's sockets (eBPF, needs root) with
           the process that owns it, until Ctrl-C, SIGTERM or --duration (30s, 5m, 1h).
           Bytes from the IP header on, up to --snaplen (default 65535; DNS always
           whole). --cgroup limits capture to a cgroup v2 subtree; --trace keeps the
           packets of matching processes only (comm=, pid=, uid=, container, follow...);
           --print also shows the events live, as replay would; --buffer-size sets the
           kernel ring buffer (default 16MiB). Rotation options as for convert.
  replay   Decode pcap / pcapng files and print Tracee v0.10 network events.
           The format is detected from the file's first bytes; '-' reads stdin.
  tui      Page through a capture or recording in the terminal: event list, detail
           tree, hex bytes, filter (f), search (/), follow a flow or DNS query (F),
           process tree (p), stats (s); ? lists the keys. Needs a terminal.
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
  -t, --trace EXPR      Filter (Tracee's grammar plus header fields; repeatable, also
                        --filter / -f). Operators = != < > <= >=, values comma-separated;
                        different fields ANDed, values of one field ORed. Default: all
                        nine events. See docs/filters.md. Forms:
                          event=net_packet_dns,net_packet_tcp  event=net_packet_dns*
                          event!=net_packet_ipv6  set=network_events
                          comm=curl  pid=1234  uid=1000  container  host  follow
                          net_packet_tcp.args.dst_port=443
                          net_packet_dns.args.src=10.0.0.0/8
                          net_packet_tcp.args.proto_tcp.SYN=1
                          net_packet_ipv4.args.proto_ipv4.TTL<64
                          net_packet_dns.args.proto_dns.questions.name=*.example.com
                          net_packet_ipv4.context.processName=nc
  -h, --help            Show this help.
  -V, --version         Show netrec's version.

Events: net_packet_ipv4 (2007), net_packet_ipv6 (2008), net_packet_tcp (2009),
  net_packet_udp (2010), net_packet_icmp (2011), net_packet_icmpv6 (2012),
  net_packet_dns (2013), net_packet_dns_request (2014), net_packet_dns_response (2015).

Exit status: 0 success, 1 an input error was reported (processing went on), 2 usage error.

Examples:
  sudo netrec record -o cap.nev --duration 30s
  netrec replay cap.nev --trace comm=curl --trace follow
  netrec replay capture.pcap
  netrec replay capture.pcapng --trace event=net_packet_dns_response --output table
  tcpdump -w - -i any port 53 | netrec replay - -t e=net_packet_dns*
`;
