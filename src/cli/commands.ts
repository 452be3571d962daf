/**
 * Every command, its options and operands, as one table. Parsing (parse.ts), `--help` (help.ts),
 * the man page (man-page.ts) and shell completion (completion.ts) are all derived from it.
 */
import type { CommandSpec, OptionSpec } from './spec.ts';

export const HELP_OPTION: OptionSpec = { name: 'help', short: 'h', help: "Show this command's help and exit." };

const TRACE: OptionSpec = {
  name: 'trace',
  short: 't',
  aliases: ['filter'],
  shortAliases: ['f'],
  value: 'EXPR',
  multiple: true,
  complete: 'none',
  help: "Filter in Tracee's grammar plus header fields, CIDRs and follow (repeatable; different fields are ANDed, values of one field ORed): event=net_packet_dns*, comm=curl, pid=1234, follow, net_packet_tcp.args.dst_port=443, net_packet_dns.args.src=10.0.0.0/8, net_packet_tcp.args.proto_tcp.SYN=1. See docs/filters.md.",
};

const READ: OptionSpec = {
  name: 'read',
  short: 'r',
  value: 'FILE',
  multiple: true,
  complete: 'file',
  help: 'Read this input (as tcpdump -r); the same as naming it as an operand. Repeatable.',
};

const OUTPUT_FORMATS = ['json', 'table', 'format:json', 'format:table'] as const;

const OUTPUT: OptionSpec = {
  name: 'output',
  short: 'o',
  value: 'FORMAT',
  choices: OUTPUT_FORMATS,
  help: "json (default): one Tracee v0.10 event per line; table: fixed columns (TIME UID COMM PID TID RET EVENT ARGS). Tracee's format:json / format:table also work.",
};

const COUNT: OptionSpec = {
  name: 'count',
  short: 'c',
  value: 'N',
  complete: 'none',
  help: 'Stop after N packets that pass the filters (as tcpdump -c).',
};

const FROM: OptionSpec = {
  name: 'from',
  value: 'TIME',
  complete: 'none',
  help: 'Skip packets before TIME: RFC 3339 (2026-12-07T10:00:00.5Z, offsets allowed), epoch seconds (1765101600.5) or epoch nanoseconds (16 or more digits, or an ns suffix). Recordings seek to it through their index.',
};

const TO: OptionSpec = {
  name: 'to',
  value: 'TIME',
  complete: 'none',
  help: 'Stop after packets later than TIME (same forms as --from); both ends are inclusive.',
};

const CONCAT: OptionSpec = {
  name: 'concat',
  help: 'Read several inputs one after the other, in argument order, instead of merging their packets by timestamp (as mergecap -a).',
};

const SIGNATURES: OptionSpec = {
  name: 'signatures',
  value: 'DIR|FILE|builtin',
  multiple: true,
  complete: 'file',
  help: "Run signatures over the events (repeatable): the .ts, .mts, .js and .mjs files of DIR, one FILE, or the builtin set. Findings are printed in Tracee's finding JSON (or as table rows) after the event that triggered them. See docs/signatures.md.",
};

const SIGNATURE_OPTIONS: readonly OptionSpec[] = [
  SIGNATURES,
  { name: 'signatures-config', value: 'FILE', complete: 'file', help: 'JSON object: settings per signature id (docs/signatures.md).' },
  { name: 'signatures-strict', help: 'A signature that throws ends the run (exit 1); by default it is reported once, counted and kept running.' },
];

const FORCE: OptionSpec = { name: 'force', help: 'Replace an existing output.' };

const WRITER_OPTIONS: readonly OptionSpec[] = [
  FORCE,
  { name: 'compress', help: 'Write lz4-compressed blocks (smaller, a little slower).' },
  {
    name: 'rotate-size',
    value: 'SIZE',
    complete: 'none',
    help: 'Start a new segment when one reaches SIZE (KiB/MiB/GiB or k/M/G; default 64MiB).',
  },
  {
    name: 'rotate-seconds',
    value: 'N',
    complete: 'none',
    help: 'Start a new segment at every multiple of N seconds of capture time.',
  },
  { name: 'max-segments', value: 'N', complete: 'none', help: 'Keep only the newest N segments (a ring).' },
];

const HOST_NAME: OptionSpec = {
  name: 'host-name',
  value: 'NAME',
  complete: 'none',
  help: 'With --format parquet and for ship: the host name every row carries, instead of the recorded one (a capture without one, or simulated hosts).',
};

const CLICKHOUSE_USER: OptionSpec = { name: 'user', value: 'USER', complete: 'none', help: 'ClickHouse user (default: default).' };
const PASSWORD_FILE: OptionSpec = {
  name: 'password-file',
  value: 'FILE',
  complete: 'file',
  help: "A file holding the ClickHouse user's password (never on the command line).",
};

const CLUSTER: OptionSpec = {
  name: 'cluster',
  value: 'NAME',
  complete: 'none',
  help: 'A cluster of system.clusters: local tables on every shard and a Distributed table over them.',
};

const INPUTS = {
  name: 'file...',
  min: 1,
  complete: 'file',
  missing: 'needs at least one input (a .nev recording, a pcap or pcapng file, or - for stdin)',
} as const;

const ONE_INPUT = (what: string) => ({ name: 'file', min: 1, max: 1, complete: 'file', missing: `takes exactly one ${what}` }) as const;

export const COMMANDS: readonly CommandSpec[] = [
  {
    name: 'record',
    summary: "Capture this host's packets with the process that owns each one (eBPF, root).",
    description: [
      "Captures every IPv4/IPv6 packet of this host's sockets with eBPF (cgroup_skb) together with the process that owns it (pid, tid, ppid, comm, uid, namespaces, cgroup, container) and the process lifecycle, into a crash-safe .nev recording, until Ctrl-C, SIGTERM, --duration or --count.",
      'Bytes are kept from the IP header on, up to --snaplen (DNS always whole). Every packet the kernel or the recorder could not keep is counted in the recording.',
    ],
    options: [
      {
        name: 'write',
        short: 'o',
        shortAliases: ['w'],
        value: 'DIR.nev',
        complete: 'directory',
        help: 'The recording to write (a directory of segment files). Required.',
      },
      { name: 'duration', value: 'TIME', complete: 'none', help: 'Stop after TIME (30s, 5m, 1h, 500ms; a plain number is seconds).' },
      { ...COUNT, help: 'Stop after N packets recorded.' },
      { name: 'snaplen', short: 's', value: 'N', complete: 'none', help: 'Keep at most N bytes of each packet (default 65535; DNS always whole).' },
      { name: 'buffer-size', short: 'B', value: 'SIZE', complete: 'none', help: 'Kernel ring buffer size, a power of two (default 16MiB).' },
      { name: 'cgroup', value: 'PATH', complete: 'directory', help: 'Capture only this cgroup v2 subtree (default: the whole host).' },
      {
        name: 'no-accept-attribution',
        help: "Do not hook every syscall's exit (about 180 ns per syscall, host-wide) to credit accepted connections and sockets received over a unix socket to the task that holds them; such a connection then stays its listener's owner's until that task sends.",
      },
      { ...TRACE, help: 'Keep only the packets of matching processes: comm=, pid=, uid=, container, follow... (see replay).' },
      { name: 'print', help: 'Also print the events live, as replay would.' },
      { ...OUTPUT, short: undefined, help: 'Format of --print and of findings: json (default) or table.' },
      ...WRITER_OPTIONS,
      ...SIGNATURE_OPTIONS.map((o) =>
        o.name === 'signatures'
          ? { ...o, help: `${o.help} Findings are also stored in the recording; signatures run beside the writer and never slow it.` }
          : o,
      ),
      {
        name: 'ship',
        value: 'URL',
        complete: 'none',
        help: 'Also send the recording to ClickHouse (http://HOST:8123/[DB]) while recording, as netrec ship does: each segment once sealed, by a process of its own that never holds the recorder back (segments rotate every 60 s unless --rotate-size or --rotate-seconds says otherwise). See docs/fleet.md.',
      },
      { ...CLUSTER, help: 'With --ship: a cluster of system.clusters (as for netrec ship).' },
      { ...HOST_NAME, help: 'With --ship: the host name every shipped row carries, instead of this one.' },
      CLICKHOUSE_USER,
      PASSWORD_FILE,
      {
        name: 'ship-wait',
        value: 'TIME',
        complete: 'none',
        help: 'With --ship: how long to wait, once the recording is sealed, for shipping to catch up (default 30s); what is not in by then, netrec ship completes later (record then exits 1, the recording complete).',
      },
    ],
    operands: { name: '', min: 0, max: 0, missing: 'takes no operands (name the recording with -o)' },
    examples: [
      ['netrec record -o cap.nev --duration 30s', "record 30 s of the host's traffic"],
      ['netrec record -o cap.nev --trace comm=curl --trace follow --print --output table', 'record curl and everything it starts, and watch it live'],
      ['netrec record -o cap.nev --signatures builtin', 'record, and print and store what the builtin signatures find'],
      ['netrec record -o cap.nev --ship http://ch1:8123/netrec', 'record, and ship to ClickHouse as the recording goes'],
    ],
  },
  {
    name: 'replay',
    summary: 'Print the Tracee network events of recordings, pcap and pcapng files.',
    description: [
      'Decodes .nev recordings, pcap and pcapng files (detected from their bytes, not their names; - reads stdin) and prints the events Tracee v0.10 emits live: net_packet_ipv4 (2007), _ipv6 (2008), _tcp (2009), _udp (2010), _icmp (2011), _icmpv6 (2012), _dns (2013), _dns_request (2014), _dns_response (2015). Without event=, all nine are printed.',
      'Several inputs are merged by packet timestamp, as mergecap does (ties keep argument order); --concat reads them one after the other instead.',
      'Exit status: 0 success; 1 an input error was reported (one line on stderr naming the file and packet or offset; processing goes on); 2 usage error. Warnings (a header cut by the snaplen, a TCP gap, packets the kernel dropped) do not change it.',
    ],
    options: [
      OUTPUT,
      TRACE,
      READ,
      COUNT,
      FROM,
      TO,
      CONCAT,
      {
        name: 'write',
        short: 'w',
        value: 'FILE',
        complete: 'file',
        help: 'Write the packets that pass the filters to FILE instead of printing events, as netrec export does (pcapng with process context; classic pcap when the name ends in .pcap).',
      },
      ...SIGNATURE_OPTIONS,
      { name: 'findings-only', help: 'Print findings only, no events. Without --signatures it prints the findings a recording stored.' },
      {
        name: 'threads',
        value: 'N|auto',
        complete: 'none',
        help: 'Threads that decode and format JSON: auto (default, or NETREC_THREADS) starts one worker per core for JSON output of pcap and pcapng inputs over 16 MiB when a core is idle (load average at most cores - 1); 1 keeps everything on one thread; N starts N workers. Table output, recordings, --count and signatures always run on one thread. The output is the same bytes either way.',
      },
    ],
    operands: INPUTS,
    examples: [
      ['netrec replay cap.nev --output table', 'a recording as a table'],
      ['netrec replay cap.nev -t comm=curl -t follow -w curl.pcapng', "curl's packets, for Wireshark"],
      ['netrec replay last-week.nev --signatures builtin --findings-only', "today's detections over last week's recording"],
      ['netrec replay cap.nev --trace comm=curl --trace follow', 'what curl and everything it started sent'],
      ['netrec replay capture.pcapng -t event=net_packet_dns_response -o table', 'DNS answers only'],
      ['netrec replay cap.nev -t event=net_packet_tcp -t net_packet_tcp.args.proto_tcp.SYN=1', 'TCP SYNs'],
      ['netrec replay a.pcap b.pcap --from 2026-12-07T10:00:00Z --to 2026-12-07T10:05:00Z', 'five minutes of two captures, merged'],
      ['tcpdump -i any -w - port 53 | netrec replay - -t e=net_packet_dns*', 'live from tcpdump'],
    ],
  },
  {
    name: 'tui',
    summary: 'Page, filter, search and inspect a capture or recording in the terminal.',
    description: [
      'An interactive viewer: event list, detail tree, hex bytes, filter (f), search (/), follow a flow or DNS query (F), process tree (p), stats (s); ? lists the keys, q quits. Needs a terminal (exit 2 without one); exit 1 when the file could not be read to the end (cut short or replaced under it: said in one line on exit), 70 after a crash (the terminal restored first).',
    ],
    options: [
      { ...TRACE, help: 'Start with this filter in the filter bar (repeatable, ANDed).' },
      READ,
      { name: 'no-color', help: 'Rows without colours (as with the NO_COLOR environment variable).' },
      { name: 'no-mouse', help: 'Leave the mouse to the terminal (its own text selection) instead of clicks and the wheel.' },
    ],
    operands: ONE_INPUT('capture or recording (a file, not stdin)'),
    examples: [['netrec tui cap.nev', 'investigate a recording interactively']],
  },
  {
    name: 'info',
    summary: 'Summarise a recording, pcap or pcapng file.',
    description: [
      'For a .nev recording: segments (sealed or not), writer, host, time span, packets per protocol, bytes, losses, processes. For pcap and pcapng (as capinfos): format, link types, interfaces, snaplen, packets, bytes, time span.',
    ],
    options: [READ],
    operands: ONE_INPUT('recording or capture'),
    examples: [
      ['netrec info cap.nev', 'what a recording holds'],
      ['netrec info capture.pcapng', 'what a capture holds'],
    ],
  },
  {
    name: 'verify',
    summary: "Check a recording's framing, checksums and footers; --repair seals it.",
    description: [
      'Prints one line per segment, then its findings. --repair seals a segment left unsealed by a stopped writer (no record is changed). Exit 0 when every segment is sealed and intact (after repair, if asked), else 1.',
    ],
    options: [{ name: 'repair', help: 'Seal segments left unsealed by a writer that was stopped.' }],
    operands: ONE_INPUT('recording (a .nev directory or segment file)'),
    examples: [
      ['netrec verify cap.nev', 'check a recording'],
      ['netrec verify cap.nev --repair', 'seal what a killed recorder left'],
    ],
  },
  {
    name: 'convert',
    summary: 'Convert between captures and recordings (.nev, pcapng, pcap).',
    description: [
      'Converts a capture into a .nev recording (without process context), or any input into pcapng or pcap (as netrec export, with the process context of recordings). The output format follows --format, else the output name: .pcapng and .pcap names get those formats, anything else a .nev recording.',
      'Time rotation follows the packets own timestamps, so segments split where the capture time crosses the multiples, as if it had been recorded.',
    ],
    options: [
      { name: 'write', short: 'o', shortAliases: ['w'], value: 'OUTPUT', complete: 'file', help: 'The recording or capture to write. Required.' },
      { name: 'format', short: 'F', value: 'FORMAT', choices: ['nev', 'pcapng', 'pcap'], help: 'Output format (default: from the output name, else nev).' },
      ...WRITER_OPTIONS,
    ],
    operands: ONE_INPUT('input capture (pcap or pcapng; - for stdin)'),
    examples: [
      ['netrec convert capture.pcapng -o capture.nev --compress', 'a compressed recording of a capture'],
      ['netrec convert cap.nev -o cap.pcapng', 'a recording for Wireshark'],
    ],
  },
  {
    name: 'export',
    summary: 'Write recordings and captures as pcapng (with process context) or pcap.',
    description: [
      "Writes recordings (.nev), pcap and pcapng files out as one capture file for Wireshark, tshark, tcpdump, Zeek or Suricata. pcapng keeps each packet's exact nanosecond timestamp, direction and process context (a packet comment, and Apple's Darwin process blocks that Wireshark decodes), and each interface's kernel drops; netrec reads both back, so the export replays with the same events.",
      'The output is written under a temporary name and renamed when complete: an interrupted or failed export leaves nothing under the output name. Several inputs are merged by timestamp (--concat: in argument order). Exit status: 0 written; 1 an input error was reported or the output could not be written; 2 usage error.',
    ],
    options: [
      { name: 'write', short: 'w', value: 'FILE', complete: 'file', help: 'Output file (with --split-by: a directory). Required.' },
      {
        name: 'format',
        short: 'F',
        value: 'FORMAT',
        choices: ['pcapng', 'pcap', 'parquet'],
        help: 'pcapng (default), pcap (classic: one link type, no process context) or parquet (a directory of tables: packets, events, dns, processes, process_events, flows, dns_transactions; docs/tables.md).',
      },
      { name: 'micro', help: 'With --format pcap: microsecond timestamps (cut to the µs) for tools that read only those.' },
      HOST_NAME,
      { ...TRACE, help: 'Keep the packets that give an event the filter keeps (as for replay; repeatable).' },
      READ,
      COUNT,
      FROM,
      TO,
      CONCAT,
      {
        name: 'split-by',
        value: 'KEY',
        choices: ['process', 'comm', 'container', 'cgroup', 'flow'],
        help: 'One file per process, comm, container, cgroup or flow, in the directory -w names, with index.tsv (key, file, packets, bytes).',
      },
      { ...FORCE, help: 'Replace an existing output (a split directory only if an export made it).' },
    ],
    operands: INPUTS,
    examples: [
      ['netrec export cap.nev -w cap.pcapng', 'a recording for Wireshark, pid and comm on every packet'],
      ['netrec export cap.nev -t event=net_packet_dns* -w dns.pcapng', 'only the DNS packets'],
      ['netrec export cap.nev --split-by process -w by-process', 'one file per process'],
      ['netrec export cap.nev --format parquet -w tables', 'Parquet tables for DuckDB, Spark or Trino'],
    ],
  },
  {
    name: 'stats',
    summary: 'Conversations, DNS transactions and top talkers of recordings and captures.',
    description: [
      'Conversations: each TCP and UDP flow, both directions merged, with its first and last packet, packets and bytes each way, the TCP state it reached and the processes that owned each end (recordings). DNS transactions: each query with its response (matched by transport, addresses, ports, id and question), latency, rcode and answers; unanswered queries; per-process and per-name summaries. Top talkers by process, remote address and service port. A packet recorded at both ends (loopback, veth to a local namespace) is counted once.',
    ],
    options: [
      { ...OUTPUT, choices: ['table', 'json', 'format:table', 'format:json'], help: 'table (default) or json (everything, times in epoch ns).' },
      { ...TRACE, help: 'Count only the packets that give an event the filter keeps (as for replay; repeatable).' },
      READ,
      FROM,
      TO,
      CONCAT,
      { name: 'limit', value: 'N', complete: 'none', help: 'Table rows per list (default 50; 0 for all).' },
      { name: 'top', value: 'N', complete: 'none', help: 'Entries per top-talker list (default 10).' },
    ],
    operands: INPUTS,
    examples: [
      ['netrec stats cap.nev', 'who talked to whom, and which names were resolved'],
      ['netrec stats cap.nev -t comm=curl -o json', "curl's conversations as JSON"],
    ],
  },
  {
    name: 'query',
    summary: 'SQL over the tables of recordings, captures or Parquet exports (DuckDB, or ClickHouse).',
    description: [
      'Runs SQL with an embedded DuckDB over the tables packets, events, dns, processes, process_events, flows and dns_transactions (docs/tables.md). Operands are directories written by export --format parquet, or recordings and captures, which are exported into a cache first ($XDG_CACHE_HOME/netrec/tables, reused while the input is unchanged). With --run, a ready-made query (--list shows them) instead of SQL; with --clickhouse, the ready-made query runs on a ClickHouse server or cluster that netrec ship filled (docs/fleet.md).',
      "Exit status: 0 done; 1 an input error was reported or the server failed; 2 usage error, bad SQL or a missing table (the engine's message on one line).",
    ],
    options: [
      { name: 'list', help: 'List the ready-made queries and their parameters.' },
      { name: 'run', value: 'NAME', complete: 'none', help: 'Run a ready-made query instead of SQL.' },
      { name: 'param', value: 'NAME=VALUE', multiple: true, complete: 'none', help: "A ready-made query's parameter (repeatable): --param cidr=10.0.0.0/8." },
      { ...OUTPUT, choices: ['table', 'csv', 'json'], help: 'table (default), csv or json (one object per line, 64-bit integers exact).' },
      { name: 'clickhouse', value: 'URL', complete: 'none', help: 'Run the ready-made query on ClickHouse: http://HOST:8123/[DB].' },
      CLICKHOUSE_USER,
      PASSWORD_FILE,
      HOST_NAME,
    ],
    operands: { name: 'sql-and-inputs...', min: 0, complete: 'file', missing: 'needs SQL and at least one input' },
    examples: [
      ['netrec query "SELECT processName, count(*) FROM events GROUP BY ALL" cap.nev', 'events per process'],
      ['netrec query --run dns-names-by-process tables/', 'a ready-made query over a Parquet export'],
      ['netrec query --clickhouse http://ch1:8123/netrec --run top-talkers', 'the same over a fleet in ClickHouse'],
    ],
  },
  {
    name: 'ship',
    summary: 'Send the tables of recordings and captures to ClickHouse (one server or a cluster).',
    description: [
      "Sends the rows of the tables packets, events, dns, processes, process_events, flows and dns_transactions (docs/tables.md) to ClickHouse over its HTTP interface: MergeTree tables ordered by (hostName, timestamp) and partitioned by day, created when missing. With --cluster NAME, the shards are read from system.clusters and each gets <table>_local plus a Distributed <table> over all of them, sharded by host, so that any shard answers for the whole cluster (no ON CLUSTER, no ZooKeeper). Rows go in batches; each batch's rows are inserted into the shard's local table directly, then the batch is recorded in netrec_batches: shipping the same input again adds nothing, and a run that stopped continues after the last recorded batch (docs/fleet.md).",
      'Exit status: 0 every row is in ClickHouse; 1 an input error, or the server refused, timed out or went away (the message says how far it got); 2 usage error.',
    ],
    options: [
      { name: 'to', value: 'URL', complete: 'none', help: 'The server: http://HOST:8123/[DB] (database default: netrec). Required.' },
      CLUSTER,
      HOST_NAME,
      CLICKHOUSE_USER,
      PASSWORD_FILE,
      { ...TRACE, help: 'Ship only the packets that give an event the filter keeps (as for replay; repeatable).' },
      READ,
      {
        name: 'follow',
        help: 'The input is one recording still being written: ship its segments as they are sealed until its writer ends; a failing server is reported and tried again (record --ship runs this).',
      },
    ],
    operands: INPUTS,
    examples: [
      ['netrec ship cap.nev --to http://ch1:8123/netrec', 'one recording to one server'],
      ['netrec ship /var/lib/netrec/*.nev --to http://ch1:8123/netrec --cluster fleet', 'to a two-shard cluster'],
    ],
  },
  {
    name: 'signatures',
    summary: 'List the signatures --signatures would load, with their metadata.',
    description: [
      "netrec signatures list prints the signatures --signatures would load (default: the builtin set), sorted by id, with version, name, severity, MITRE ATT&CK category and technique, selected events, tags, description and the file each comes from. A file that does not load, or two signatures with one id, is a usage error (exit 2). --output json prints one JSON array of Tracee's SignatureMetadata objects plus SelectedEvents and Origin.",
    ],
    options: [
      { ...SIGNATURES, help: 'Where to load from (repeatable): a directory, a file, or builtin (the default).' },
      { ...OUTPUT, choices: ['text', 'json'], help: 'text (default) or json.' },
    ],
    operands: { name: 'list', min: 1, max: 1, complete: ['list'], missing: "needs a subcommand: 'list'" },
    examples: [
      ['netrec signatures list', 'the builtin signatures'],
      ['netrec signatures list --signatures ./rules --output json', 'your own, as JSON'],
    ],
  },
  {
    name: 'completion',
    summary: 'Print a shell completion script (bash or zsh).',
    description: [
      'Prints a completion script generated from the same option tables as --help. Load it with: source <(netrec completion bash), or for zsh: netrec completion zsh > "${fpath[1]}/_netrec".',
    ],
    options: [],
    operands: { name: 'shell', min: 1, max: 1, complete: ['bash', 'zsh'], missing: 'takes one shell: bash or zsh' },
    examples: [
      ['source <(netrec completion bash)', 'complete netrec in this bash'],
      ['netrec completion zsh > ~/.zfunc/_netrec', 'install for zsh (with ~/.zfunc in fpath)'],
    ],
  },
  {
    name: 'help',
    summary: "Show a command's help (netrec help replay).",
    description: ['Without a command, lists the commands.'],
    options: [],
    operands: { name: 'command', min: 0, max: 1, complete: [], missing: 'takes at most one command' },
    examples: [['netrec help replay', "replay's options and examples"]],
  },
];

export function findCommand(name: string): CommandSpec | undefined {
  return COMMANDS.find((c) => c.name === name);
}

/** Every option of a command, --help included. */
export function optionsOf(command: CommandSpec): readonly OptionSpec[] {
  return [...command.options, HELP_OPTION];
}
