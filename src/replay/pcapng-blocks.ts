/**
 * The contents of pcapng blocks (https://www.ietf.org/archive/id/draft-ietf-opsawg-pcapng-02.html).
 * Every function takes a whole block, from its type field to its trailing length, whose framing
 * the walker (pcapng.ts) has already checked, and returns a problem as a string: the walker knows
 * where the block is and turns it into an issue.
 */
import type { CapturedPacket, Direction, TaskContext } from '../core/packet.ts';
import { parsePacketComment } from '../core/packet-comment.ts';
import { DEFAULT_TSRESOL, tickClock, type TickClock } from './pcapng-time.ts';

export const BlockType = {
  SECTION_HEADER: 0x0a0d0d0a,
  INTERFACE_DESCRIPTION: 1,
  /** Obsolete, superseded by the enhanced packet block, still found in old files. */
  PACKET: 2,
  SIMPLE_PACKET: 3,
  ENHANCED_PACKET: 6,
  /** Apple's Darwin process event block: a process that EPBs name by its index. */
  DARWIN_PROCESS: 0x80000001,
} as const;

/** Smallest block: type, total length, trailing total length. */
export const MINIMUM_BLOCK_LENGTH = 12;
/** Type, length, byte-order magic, version, section length, trailing length. */
export const MINIMUM_SECTION_HEADER_LENGTH = 28;
export const BYTE_ORDER_MAGIC = 0x1a2b3c4d;

const OPTION_END = 0;
const OPTION_COMMENT = 1;
/** epb_flags and pack_flags share the code and the direction bits. */
const OPTION_PACKET_FLAGS = 2;
const OPTION_SHB_USERAPPL = 4;
const OPTION_IF_NAME = 2;
const OPTION_IF_TSRESOL = 9;
const OPTION_IF_TSOFFSET = 14;
const OPTION_EPB_DARWIN_DPEB_ID = 32769;
const OPTION_DARWIN_PROC_NAME = 2;
const MINIMUM_DARWIN_PROCESS_LENGTH = 16;

const utf8 = new TextDecoder('utf-8');

const MINIMUM_INTERFACE_LENGTH = 20;
/** Enhanced and obsolete packet blocks share this layout from byte 12 on. */
const MINIMUM_TIMESTAMPED_PACKET_LENGTH = 32;
const TIMESTAMPED_PACKET_DATA = 28;
const MINIMUM_SIMPLE_PACKET_LENGTH = 16;
const SIMPLE_PACKET_DATA = 12;

export const blockNames: Readonly<Record<number, string>> = {
  [BlockType.SECTION_HEADER]: 'section header block',
  [BlockType.INTERFACE_DESCRIPTION]: 'interface description block',
  [BlockType.PACKET]: 'packet block',
  [BlockType.SIMPLE_PACKET]: 'simple packet block',
  [BlockType.ENHANCED_PACKET]: 'enhanced packet block',
  [BlockType.DARWIN_PROCESS]: 'Darwin process event block',
};

export function isPacketBlock(type: number): boolean {
  return type === BlockType.ENHANCED_PACKET || type === BlockType.SIMPLE_PACKET || type === BlockType.PACKET;
}

export interface Interface {
  linkType: number;
  /** 0: no limit. */
  snaplen: number;
  clock: TickClock;
  /** if_name. */
  name?: string;
  /** The recorded ifindex netrec's export notes in the IDB comment (`ifindex=N`). */
  ifindex?: number;
}

/** A Darwin process event block: the pid and name packets refer to. */
export interface DarwinProcess {
  pid: number;
  name: string;
}

/** An IDB that could not be read still takes its interface number, so later ones keep theirs. */
export interface DamagedInterface {
  damage: string;
}

export type InterfaceSlot = Interface | DamagedInterface;

/** A problem with the section header block's version or options; nothing can be read after one. */
export function sectionHeaderProblem(block: Buffer, littleEndian: boolean): string | undefined {
  const major = u16(block, 12, littleEndian);
  const minor = u16(block, 14, littleEndian);
  // 1.2 was written by some tools for files that are 1.0 in all but name; tshark reads both.
  if (major !== 1 || (minor !== 0 && minor !== 2)) {
    return `unsupported pcapng version ${major}.${minor} (1.0 and 1.2 are read, as by tshark)`;
  }
  return walkOptions(block, littleEndian, 24, () => {});
}

/** shb_userappl of a whole section header block, when it has one. */
export function sectionUserApplication(block: Buffer, littleEndian: boolean): string | undefined {
  let application: string | undefined;
  walkOptions(block, littleEndian, 24, (code, at, length) => {
    if (code === OPTION_SHB_USERAPPL) application = utf8.decode(block.subarray(at, at + length));
  });
  return application;
}

export function readInterface(block: Buffer, littleEndian: boolean): InterfaceSlot {
  if (block.length < MINIMUM_INTERFACE_LENGTH) {
    return { damage: `block length ${block.length} is less than the minimum of ${MINIMUM_INTERFACE_LENGTH}` };
  }
  let tsresol = DEFAULT_TSRESOL;
  let tsoffsetSeconds = 0n;
  let optionProblem: string | undefined;
  let name: string | undefined;
  let ifindex: number | undefined;
  const overrun = walkOptions(block, littleEndian, 16, (code, at, length) => {
    if (code === OPTION_IF_NAME) {
      name = utf8.decode(block.subarray(at, at + length));
    } else if (code === OPTION_COMMENT) {
      const noted = /^ifindex=(\d{1,10})$/.exec(utf8.decode(block.subarray(at, at + length)));
      if (noted !== null && Number(noted[1]) <= 0xffffffff) ifindex = Number(noted[1]);
    } else if (code === OPTION_IF_TSRESOL) {
      if (length === 1) tsresol = block[at]!;
      else optionProblem = `if_tsresol option has length ${length}, not 1`;
    } else if (code === OPTION_IF_TSOFFSET) {
      if (length === 8) {
        tsoffsetSeconds = littleEndian ? block.readBigInt64LE(at) : block.readBigInt64BE(at);
      } else {
        optionProblem = `if_tsoffset option has length ${length}, not 8`;
      }
    }
  });
  const damage = overrun ?? optionProblem;
  if (damage !== undefined) return { damage };
  return {
    linkType: u16(block, 8, littleEndian),
    snaplen: u32(block, 12, littleEndian),
    clock: tickClock(tsresol, tsoffsetSeconds),
    ...(name !== undefined ? { name } : {}),
    ...(ifindex !== undefined ? { ifindex } : {}),
  };
}

/** A Darwin process event block: process id, then options (darwin_proc_name). */
export function readDarwinProcess(block: Buffer, littleEndian: boolean): DarwinProcess | string {
  if (block.length < MINIMUM_DARWIN_PROCESS_LENGTH) {
    return `block length ${block.length} is less than the minimum of ${MINIMUM_DARWIN_PROCESS_LENGTH}`;
  }
  let name = '';
  const overrun = walkOptions(block, littleEndian, 12, (code, at, length) => {
    if (code === OPTION_DARWIN_PROC_NAME) name = utf8.decode(block.subarray(at, at + length));
  });
  return overrun ?? { pid: u32(block, 8, littleEndian), name };
}

/** The context a packet's options give it, and problems worth a warning. */
export interface PacketOptionsContext {
  /** Section's Darwin processes by index (undefined: a damaged block took the index). */
  processes: readonly (DarwinProcess | undefined)[];
  /** Receives one line per problem with the options' context (the packet is still read). */
  warn(message: string): void;
}

/** An enhanced packet block (32-bit interface id) or an obsolete packet block (16-bit). */
export function readTimestampedPacket(
  block: Buffer,
  littleEndian: boolean,
  interfaces: readonly InterfaceSlot[],
  number: number,
  offset: number,
  context?: PacketOptionsContext,
): CapturedPacket | string {
  if (block.length < MINIMUM_TIMESTAMPED_PACKET_LENGTH) {
    return `block length ${block.length} is less than the minimum of ${MINIMUM_TIMESTAMPED_PACKET_LENGTH}`;
  }
  const interfaceId = u32(block, 0, littleEndian) === BlockType.PACKET ? u16(block, 8, littleEndian) : u32(block, 8, littleEndian);
  const iface = lookUpInterface(interfaces, interfaceId);
  if (typeof iface === 'string') return iface;
  const capturedLength = u32(block, 20, littleEndian);
  const optionsStart = TIMESTAMPED_PACKET_DATA + padded(capturedLength);
  if (optionsStart > block.length - 4) {
    return `block length ${block.length} is too small for ${capturedLength} bytes of packet data`;
  }
  let direction: Direction | undefined;
  let comments: string[] | undefined;
  let darwinProcess: number | undefined;
  const overrun = walkOptions(block, littleEndian, optionsStart, (code, at, length) => {
    if (code === OPTION_PACKET_FLAGS && length === 4) {
      direction = directionOf(u32(block, at, littleEndian));
    } else if (code === OPTION_COMMENT) {
      comments ??= [];
      comments.push(utf8.decode(block.subarray(at, at + length)));
    } else if (code === OPTION_EPB_DARWIN_DPEB_ID && length === 4) {
      darwinProcess = u32(block, at, littleEndian);
    }
  });
  if (overrun !== undefined) return overrun;
  const packet: CapturedPacket = {
    timestamp: iface.clock(u32(block, 12, littleEndian), u32(block, 16, littleEndian)),
    linkType: iface.linkType,
    data: block.subarray(TIMESTAMPED_PACKET_DATA, TIMESTAMPED_PACKET_DATA + capturedLength),
    originalLength: u32(block, 24, littleEndian),
    number,
    offset,
  };
  if (direction !== undefined) packet.direction = direction;
  if (iface.name !== undefined) packet.interfaceName = iface.name;
  if (iface.ifindex !== undefined) packet.ifindex = iface.ifindex;
  if (context !== undefined && (comments !== undefined || darwinProcess !== undefined)) {
    addContext(packet, comments ?? [], darwinProcess, context);
  }
  return packet;
}

/**
 * Process context from the packet's options: netrec's comment (the first comment in its layout;
 * others are a person's notes) or, failing that, the Darwin process the packet names.
 */
function addContext(packet: CapturedPacket, comments: readonly string[], darwinProcess: number | undefined, context: PacketOptionsContext): void {
  for (const text of comments) {
    const parsed = parsePacketComment(text);
    if (parsed === undefined) continue;
    if ('problem' in parsed) {
      context.warn(`${parsed.problem}; the packet is read without the comment's context`);
      continue;
    }
    if (parsed.task !== undefined) packet.task = parsed.task;
    if (parsed.cpu !== undefined) packet.cpu = parsed.cpu;
    if (parsed.socketCookie !== undefined) packet.socketCookie = parsed.socketCookie;
    break;
  }
  if (packet.task !== undefined || darwinProcess === undefined) return;
  const process = context.processes[darwinProcess];
  if (process === undefined) {
    context.warn(`names Darwin process ${darwinProcess}, which the section does not define (it has ${context.processes.length})`);
    return;
  }
  packet.task = darwinTask(process);
}

/** What a Darwin process event block says about a task: its pid and name, nothing else. */
function darwinTask(p: DarwinProcess): TaskContext {
  return {
    threadStartTime: 0n,
    processId: p.pid,
    threadId: 0,
    parentProcessId: 0,
    hostProcessId: p.pid,
    hostThreadId: 0,
    hostParentProcessId: 0,
    userId: 0,
    mountNamespace: 0,
    pidNamespace: 0,
    processName: p.name,
    hostName: '',
    cgroupId: 0n,
    containerId: '',
  };
}

/**
 * A simple packet block: interface 0 of the section, no timestamp (0n), and a captured length
 * that is the original length cut to the interface's snaplen.
 */
export function readSimplePacket(
  block: Buffer,
  littleEndian: boolean,
  interfaces: readonly InterfaceSlot[],
  number: number,
  offset: number,
): CapturedPacket | string {
  if (block.length < MINIMUM_SIMPLE_PACKET_LENGTH) {
    return `block length ${block.length} is less than the minimum of ${MINIMUM_SIMPLE_PACKET_LENGTH}`;
  }
  const iface = lookUpInterface(interfaces, 0);
  if (typeof iface === 'string') return iface;
  const originalLength = u32(block, 8, littleEndian);
  const capturedLength = iface.snaplen !== 0 && iface.snaplen < originalLength ? iface.snaplen : originalLength;
  if (SIMPLE_PACKET_DATA + capturedLength > block.length - 4) {
    return `block length ${block.length} is too small for ${capturedLength} bytes of packet data`;
  }
  return {
    timestamp: 0n,
    linkType: iface.linkType,
    data: block.subarray(SIMPLE_PACKET_DATA, SIMPLE_PACKET_DATA + capturedLength),
    originalLength,
    number,
    offset,
  };
}

function lookUpInterface(interfaces: readonly InterfaceSlot[], id: number): Interface | string {
  const slot = interfaces[id];
  if (slot === undefined) {
    return `interface ${id} is not defined (the section has ${interfaces.length})`;
  }
  if ('damage' in slot) return `interface ${id} is unusable: its description block is damaged`;
  return slot;
}

/**
 * Calls `visit` for each option from `start` to the trailing length, and returns a problem when
 * an option runs past it.
 */
function walkOptions(block: Buffer, littleEndian: boolean, start: number, visit: (code: number, valueAt: number, length: number) => void): string | undefined {
  const end = block.length - 4;
  let at = start;
  while (at + 4 <= end) {
    const code = u16(block, at, littleEndian);
    const length = u16(block, at + 2, littleEndian);
    if (code === OPTION_END) return undefined;
    if (at + 4 + length > end) {
      return `option ${code} of length ${length} at byte ${at} runs past the end of the block`;
    }
    visit(code, at + 4, length);
    at += 4 + padded(length);
  }
  return undefined;
}

function directionOf(flags: number): Direction {
  switch (flags & 0b11) {
    case 1:
      return 'ingress';
    case 2:
      return 'egress';
    default:
      return 'unknown';
  }
}

function padded(length: number): number {
  return length + ((4 - (length % 4)) % 4);
}

function u16(block: Buffer, at: number, littleEndian: boolean): number {
  return littleEndian ? block.readUInt16LE(at) : block.readUInt16BE(at);
}

export function u32(block: Buffer, at: number, littleEndian: boolean): number {
  return littleEndian ? block.readUInt32LE(at) : block.readUInt32BE(at);
}
