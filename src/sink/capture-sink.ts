/**
 * Captured packets into one capture file, pcapng or classic pcap: what goes into which block.
 * The block layouts are pcapng-writer.ts's and pcap-writer.ts's; this module maps netrec's
 * packets onto them (docs/export.md):
 *
 * - one pcapng interface per input, recorded interface (ifindex or pcapng interface name) and
 *   link type; recordings store L3 bytes, written as LINKTYPE_RAW;
 * - every EPB carries the exact nanosecond timestamp (if_tsresol 9), the original length, the
 *   direction in epb_flags and the packet's context in a comment (src/core/packet-comment.ts);
 *   an attributed packet also names its Darwin process event block;
 * - losses become epb_dropcount on the next packet and isb_ifdrop on an interface of their input.
 */
import { inputIssue, InputError, type InputIssue } from '../core/errors.ts';
import type { CapturedPacket, Direction } from '../core/packet.ts';
import { formatPacketComment } from '../core/packet-comment.ts';
import type { ByteOutput } from './byte-output.ts';
import { EPB_INBOUND, EPB_OUTBOUND, EPB_UNKNOWN_DIRECTION, PcapngWriter, type EnhancedPacket, type SectionInfo } from './pcapng-writer.ts';
import { DEFAULT_PCAP_SNAPLEN, pcapFileHeader, PcapWriter, PCAP_TIME_LIMIT } from './pcap-writer.ts';

/** The input a packet comes from. */
export interface CaptureOrigin {
  /** Position among the inputs: interfaces of different inputs stay apart. */
  index: number;
  /** As the user named it, for messages. */
  name: string;
  /** The recorded interface table's name for an ifindex, when the input has one. */
  interfaceName(ifindex: number): string | undefined;
}

/** Packets the recording lost: counted for the span, not tied to an interface. */
export interface Loss {
  kernelLost: bigint;
  userDropped: bigint;
}

export interface CaptureSink {
  /** Writes the packet; an issue says what could not be written as it is (and what was done). */
  write(packet: CapturedPacket, origin: CaptureOrigin): InputIssue | undefined;
  /** Packets `origin` lost before the next packet. */
  lost(origin: CaptureOrigin, loss: Loss): void;
  /** Writes what closes the file (pcapng: statistics blocks) and waits until all is written. */
  end(): Promise<InputIssue[]>;
  readonly packets: number;
  /** Sum of the packets' original lengths. */
  readonly bytes: number;
}

/** epb_flags of a direction; 'unknown' is a source that said so (flags present, direction 0). */
const DIRECTION_FLAGS: Readonly<Record<Direction, number>> = { unknown: EPB_UNKNOWN_DIRECTION, ingress: EPB_INBOUND, egress: EPB_OUTBOUND };

/** Longest option value a pcapng option length (16 bits) can describe. */
const MAX_OPTION_BYTES = 0xffff;
const NANOS_PER_SECOND = 1_000_000_000n;
const U64_LIMIT = 1n << 64n;
/** Timestamps outside u64 ns are counted from an if_tsoffset that is a multiple of this many seconds. */
const TSOFFSET_STEP_SECONDS = 1n << 33n;

interface InterfaceState {
  id: number;
  origin: number;
  tsoffsetSeconds: bigint;
  firstTicks: bigint;
  lastTicks: bigint;
  packets: number;
}

export interface PcapngSinkOptions {
  section: SectionInfo;
  /** Put losses on the next packet as epb_dropcount (one file); a split export has only the ISBs. */
  dropCounts: boolean;
}

export class PcapngCaptureSink implements CaptureSink {
  private readonly writer: PcapngWriter;
  private readonly interfaces = new Map<string, InterfaceState>();
  private readonly processes = new Map<string, number>();
  /** The interface of the previous packet: most packets share their predecessor's. */
  private last:
    | { iface: InterfaceState; origin: number; ifindex: number | undefined; name: string | undefined; linkType: number; tsoffsetSeconds: bigint }
    | undefined;
  private readonly scratch: EnhancedPacket = { interfaceId: 0, ticks: 0n, data: new Uint8Array(0), originalLength: 0 };
  private pendingDrops = 0n;
  /** Losses per input, for the statistics blocks. */
  private readonly losses = new Map<number, Loss>();
  packets = 0;
  bytes = 0;

  constructor(
    private readonly out: ByteOutput,
    private readonly opts: PcapngSinkOptions,
  ) {
    this.writer = new PcapngWriter(out);
    this.writer.sectionHeader(opts.section);
  }

  write(p: CapturedPacket, origin: CaptureOrigin): InputIssue | undefined {
    const inRange = p.timestamp >= 0n && p.timestamp < U64_LIMIT;
    const tsoffsetSeconds = inRange ? 0n : floorDiv(p.timestamp, TSOFFSET_STEP_SECONDS * NANOS_PER_SECOND) * TSOFFSET_STEP_SECONDS;
    const ticks = inRange ? p.timestamp : p.timestamp - tsoffsetSeconds * NANOS_PER_SECOND;
    const iface = this.interfaceFor(p, origin, tsoffsetSeconds);
    iface.packets++;
    if (iface.packets === 1) iface.firstTicks = ticks;
    iface.lastTicks = ticks;

    let issue: InputIssue | undefined;
    let comment = formatPacketComment(p);
    if (comment !== undefined && Buffer.byteLength(comment) > MAX_OPTION_BYTES) {
      issue = inputIssue(
        origin.name,
        `packet ${p.number}`,
        `its context takes ${Buffer.byteLength(comment)} bytes, more than a pcapng comment holds (${MAX_OPTION_BYTES}); written without it`,
        'warning',
      );
      comment = undefined;
    }
    // One object for every packet: the hot path allocates nothing it does not write.
    const e = this.scratch;
    e.interfaceId = iface.id;
    e.ticks = ticks;
    e.data = p.data;
    e.originalLength = p.originalLength;
    e.flags = p.direction === undefined ? undefined : DIRECTION_FLAGS[p.direction];
    e.dropCount = this.pendingDrops > 0n ? this.pendingDrops : undefined;
    e.comment = comment;
    e.darwinProcess = p.task === undefined ? undefined : this.processFor(p.task.hostProcessId, p.task.processName);
    this.pendingDrops = 0n;
    this.writer.enhancedPacket(e);
    this.packets++;
    this.bytes += p.originalLength;
    return issue;
  }

  lost(origin: CaptureOrigin, loss: Loss): void {
    const total = this.losses.get(origin.index) ?? { kernelLost: 0n, userDropped: 0n };
    total.kernelLost += loss.kernelLost;
    total.userDropped += loss.userDropped;
    this.losses.set(origin.index, total);
    if (this.opts.dropCounts) this.pendingDrops += loss.kernelLost + loss.userDropped;
  }

  async end(): Promise<InputIssue[]> {
    const interfaces = [...this.interfaces.values()];
    // Losses are counted per CPU, not per interface: each input's go on its first interface.
    const lossOn = new Map<number, Loss>();
    for (const [origin, loss] of this.losses) {
      const id = interfaces.find((i) => i.origin === origin)?.id ?? 0;
      const sum = lossOn.get(id) ?? { kernelLost: 0n, userDropped: 0n };
      lossOn.set(id, { kernelLost: sum.kernelLost + loss.kernelLost, userDropped: sum.userDropped + loss.userDropped });
    }
    for (const i of interfaces) {
      const loss = lossOn.get(i.id);
      this.writer.interfaceStatistics({
        interfaceId: i.id,
        ticks: i.lastTicks,
        startTicks: i.firstTicks,
        endTicks: i.lastTicks,
        userDelivered: BigInt(i.packets),
        ...(loss !== undefined ? { ifDrop: loss.kernelLost + loss.userDropped, comment: lossComment(loss) } : {}),
      });
    }
    await this.out.close();
    const unwritten = interfaces.length === 0 ? lossOn.get(0) : undefined;
    if (unwritten === undefined || unwritten.kernelLost + unwritten.userDropped === 0n) return [];
    return [
      inputIssue(
        'export',
        'statistics',
        `the inputs lost ${unwritten.kernelLost + unwritten.userDropped} packets while recording, but with no packet exported there is no interface to count them on`,
        'warning',
      ),
    ];
  }

  private interfaceFor(p: CapturedPacket, origin: CaptureOrigin, tsoffsetSeconds: bigint): InterfaceState {
    const last = this.last;
    if (
      last !== undefined &&
      last.origin === origin.index &&
      last.ifindex === p.ifindex &&
      last.name === p.interfaceName &&
      last.linkType === p.linkType &&
      last.tsoffsetSeconds === tsoffsetSeconds
    ) {
      return last.iface;
    }
    const iface = this.describedInterface(p, origin, tsoffsetSeconds);
    this.last = { iface, origin: origin.index, ifindex: p.ifindex, name: p.interfaceName, linkType: p.linkType, tsoffsetSeconds };
    return iface;
  }

  private describedInterface(p: CapturedPacket, origin: CaptureOrigin, tsoffsetSeconds: bigint): InterfaceState {
    const key = `${origin.index}/${p.ifindex ?? ''}/${p.interfaceName ?? ''}/${p.linkType}/${tsoffsetSeconds}`;
    let iface = this.interfaces.get(key);
    if (iface !== undefined) return iface;
    const name = p.interfaceName ?? (p.ifindex === undefined ? undefined : origin.interfaceName(p.ifindex));
    const id = this.writer.interfaceDescription({
      linkType: p.linkType,
      snaplen: 0,
      ...(name !== undefined && Buffer.byteLength(name) <= MAX_OPTION_BYTES ? { name } : {}),
      ...(p.ifindex !== undefined ? { comment: `ifindex=${p.ifindex}` } : {}),
      // Recorded ifindexes belong to the packet's network namespace, names to the recorder's.
      description: (p.ifindex !== undefined
        ? `ifindex ${p.ifindex} in ${origin.name}${name !== undefined && p.interfaceName === undefined ? " (named from the recorder's network namespace; other namespaces reuse indexes)" : ''}`
        : origin.name
      ).slice(0, 1024),
      tsoffsetSeconds,
    });
    iface = { id, origin: origin.index, tsoffsetSeconds, firstTicks: 0n, lastTicks: 0n, packets: 0 };
    this.interfaces.set(key, iface);
    return iface;
  }

  private processFor(pid: number, name: string): number | undefined {
    if (Buffer.byteLength(name) > MAX_OPTION_BYTES) return undefined;
    const key = `${pid}/${name}`;
    let id = this.processes.get(key);
    if (id === undefined) {
      id = this.writer.darwinProcess(pid, name);
      this.processes.set(key, id);
    }
    return id;
  }
}

function lossComment(loss: Loss): string {
  return `netrec: the input lost ${loss.kernelLost + loss.userDropped} packets while recording (kernel ${loss.kernelLost}, recorder ${loss.userDropped}); losses are counted per CPU, not per interface, so all are on this interface`;
}

/** Floor division for bigints (`/` truncates toward zero). */
function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n ? q - 1n : q;
}

export interface PcapSinkOptions {
  /** Nanosecond timestamps (magic a1b23c4d); false: microseconds. */
  nanosecond: boolean;
}

/**
 * Classic pcap holds one link type and no context: the first packet's link type is the file's,
 * and a packet of another makes the export fail (pcapng holds both). The snaplen in the header is
 * fixed up at the end to cover the largest packet.
 */
export class PcapCaptureSink implements CaptureSink {
  private readonly writer: PcapWriter;
  private linkType: number | undefined;
  private largest = 0;
  private cutTimestamps = 0;
  packets = 0;
  bytes = 0;

  constructor(
    private readonly out: ByteOutput,
    private readonly opts: PcapSinkOptions,
  ) {
    this.writer = new PcapWriter(out, opts.nanosecond);
  }

  write(p: CapturedPacket, origin: CaptureOrigin): InputIssue | undefined {
    if (this.linkType === undefined) {
      this.linkType = p.linkType;
      this.writer.fileHeader(p.linkType, DEFAULT_PCAP_SNAPLEN);
    } else if (p.linkType !== this.linkType) {
      throw new InputError(
        `${origin.name}: packet ${p.number} has link type ${p.linkType}, the packets before it ${this.linkType}: classic pcap holds one link type; export to pcapng (the default) instead`,
      );
    }
    if (p.timestamp < 0n || p.timestamp >= PCAP_TIME_LIMIT) {
      return inputIssue(
        origin.name,
        `packet ${p.number}`,
        `timestamp ${p.timestamp} ns is outside what classic pcap can hold (1970 to 2106); packet not written (pcapng holds it)`,
      );
    }
    if (!this.opts.nanosecond && p.timestamp % 1000n !== 0n) this.cutTimestamps++;
    this.writer.record(p.timestamp, p.data, p.originalLength);
    this.largest = Math.max(this.largest, p.data.length);
    this.packets++;
    this.bytes += p.originalLength;
    return undefined;
  }

  /** Classic pcap has no place for losses; replay and stats report them from the input. */
  lost(): void {}

  async end(): Promise<InputIssue[]> {
    // An empty export still gets a valid header: raw IP, what recordings hold.
    if (this.linkType === undefined) this.writer.fileHeader(101, DEFAULT_PCAP_SNAPLEN);
    await this.out.close();
    if (this.largest > DEFAULT_PCAP_SNAPLEN) this.out.patch(0, pcapFileHeader(this.linkType ?? 101, this.largest, this.opts.nanosecond));
    if (this.cutTimestamps === 0) return [];
    return [
      inputIssue(
        '--micro',
        'timestamps',
        `${this.cutTimestamps} packets had nanosecond digits that microsecond pcap cannot hold; they were cut (drop --micro to keep them)`,
        'warning',
      ),
    ];
  }
}
