/**
 * bpf/netrec.h, mirrored once: record layouts (byte offsets), enums, and decoders from ring-buffer
 * bytes. test/record/abi.test.ts checks every offset here against the compiled object's BTF.
 *
 * Decoders read a DataView at an offset and copy nothing but strings: the ring buffer's memory is
 * reused once the consumer position moves on, so callers must finish with a record (or copy the
 * packet bytes) before that.
 */

export const NETREC_ABI_VERSION = 2;
export const NR_MAX_CAPTURE = 65535;

export const RecordKind = { packet: 1, fork: 2, exec: 3, exit: 4, comm: 5 } as const;
export const DirectionCode = { ingress: 1, egress: 2 } as const;
export const TaskSource = { none: 0, current: 1, socket: 2 } as const;
export type TaskSource = (typeof TaskSource)[keyof typeof TaskSource];
export const TASK_F_SEEDED = 1;

export const TASK = {
  start_time: 0,
  cgroup_id: 8,
  host_tid: 16,
  host_pid: 20,
  host_ppid: 24,
  tid: 28,
  pid: 32,
  ppid: 36,
  uid: 40,
  mnt_ns: 44,
  pid_ns: 48,
  uts_ns: 52,
  flags: 56,
  comm: 64,
  leader_comm: 80,
  size: 96,
} as const;
export const COMM_LEN = 16;

export const PACKET = {
  type: 0,
  cpu: 4,
  time: 8,
  sock_cookie: 16,
  ifindex: 24,
  wire_len: 28,
  cap_len: 32,
  protocol: 36,
  direction: 38,
  task_source: 39,
  task: 40,
  data: 136,
  size: 136,
} as const;

export const LIFECYCLE = {
  type: 0,
  cpu: 4,
  time: 8,
  actor_tid: 16,
  actor_pid: 20,
  exit_code: 24,
  text_len: 28,
  task: 32,
  text: 128,
  size: 384,
} as const;
export const PATH_MAX = 256;

export const COUNTERS = { packets: 0, lost_packets: 8, lost_lifecycle: 16, truncated: 24, filtered: 32, lost_claims: 40, size: 48 } as const;
export const CONFIG = { abi_version: 0, snaplen: 4, cgroup_only: 8, trace: 12, size: 16 } as const;
export const TraceFlag = { pids: 1, comms: 2, follow: 4 } as const;
export const TracePid = { given: 1, followed: 2 } as const;
export const UTS_NAME = { nodename: 0, size: 72 } as const;

/** A task as the kernel reported it (struct nr_task). */
export interface RawTask {
  startTime: bigint;
  cgroupId: bigint;
  hostTid: number;
  hostPid: number;
  hostPpid: number;
  tid: number;
  pid: number;
  ppid: number;
  uid: number;
  mntNs: number;
  pidNs: number;
  utsNs: number;
  flags: number;
  /** The thread's name. */
  comm: string;
  /** The thread-group leader's name (the process's). */
  leaderComm: string;
}

export interface RawPacket {
  kind: 'packet';
  cpu: number;
  /**
   * CLOCK_TAI ns and the socket cookie (0: none), u64s as u32 halves: read as bigints they cost
   * two allocations per packet, and the writer takes them so (nev/packet-frame.ts).
   */
  timeHi: number;
  timeLo: number;
  cookieHi: number;
  cookieLo: number;
  ifindex: number;
  wireLen: number;
  /** Packet bytes at `dataOffset` in the same view. */
  capLen: number;
  dataOffset: number;
  protocol: number;
  direction: 'ingress' | 'egress';
  taskSource: TaskSource;
  /** Offset of the struct nr_task in the view (meaningful when taskSource is not none). */
  taskOffset: number;
}

export interface RawLifecycle {
  kind: 'fork' | 'exec' | 'exit' | 'comm';
  cpu: number;
  time: bigint;
  actorTid: number;
  actorPid: number;
  exitCode: number;
  task: RawTask;
  /** exec: the file name; comm: the new comm. */
  text: string;
}

export class AbiError {
  constructor(readonly message: string) {}
}

const LIFECYCLE_KINDS = { 2: 'fork', 3: 'exec', 4: 'exit', 5: 'comm' } as const;

/** A NUL-terminated string of at most `max` bytes (comm, file names: bytes, shown as UTF-8). */
export function cString(view: DataView, offset: number, max: number): string {
  const bytes = new Uint8Array(view.buffer, view.byteOffset + offset, max);
  const end = bytes.indexOf(0);
  return Buffer.from(bytes.buffer, bytes.byteOffset, end < 0 ? max : end).toString('utf8');
}

export function decodeTask(v: DataView, at: number): RawTask {
  return {
    startTime: v.getBigUint64(at + TASK.start_time, true),
    cgroupId: v.getBigUint64(at + TASK.cgroup_id, true),
    hostTid: v.getUint32(at + TASK.host_tid, true),
    hostPid: v.getUint32(at + TASK.host_pid, true),
    hostPpid: v.getUint32(at + TASK.host_ppid, true),
    tid: v.getUint32(at + TASK.tid, true),
    pid: v.getUint32(at + TASK.pid, true),
    ppid: v.getUint32(at + TASK.ppid, true),
    uid: v.getUint32(at + TASK.uid, true),
    mntNs: v.getUint32(at + TASK.mnt_ns, true),
    pidNs: v.getUint32(at + TASK.pid_ns, true),
    utsNs: v.getUint32(at + TASK.uts_ns, true),
    flags: v.getUint32(at + TASK.flags, true),
    comm: cString(v, at + TASK.comm, COMM_LEN),
    leaderComm: cString(v, at + TASK.leader_comm, COMM_LEN),
  };
}

/** Writes a struct nr_task (for seeding socket storage from user space). */
export function encodeTask(t: RawTask): Buffer {
  const b = Buffer.alloc(TASK.size);
  b.writeBigUInt64LE(t.startTime, TASK.start_time);
  b.writeBigUInt64LE(t.cgroupId, TASK.cgroup_id);
  b.writeUInt32LE(t.hostTid, TASK.host_tid);
  b.writeUInt32LE(t.hostPid, TASK.host_pid);
  b.writeUInt32LE(t.hostPpid, TASK.host_ppid);
  b.writeUInt32LE(t.tid, TASK.tid);
  b.writeUInt32LE(t.pid, TASK.pid);
  b.writeUInt32LE(t.ppid, TASK.ppid);
  b.writeUInt32LE(t.uid, TASK.uid);
  b.writeUInt32LE(t.mntNs, TASK.mnt_ns);
  b.writeUInt32LE(t.pidNs, TASK.pid_ns);
  b.writeUInt32LE(t.utsNs, TASK.uts_ns);
  b.writeUInt32LE(t.flags, TASK.flags);
  b.write(t.comm, TASK.comm, COMM_LEN - 1, 'utf8');
  b.write(t.leaderComm, TASK.leader_comm, COMM_LEN - 1, 'utf8');
  return b;
}

/**
 * Decodes the record at `at` (its `size` bytes as the ring buffer gave them). A record that does
 * not fit its own layout is an AbiError value: the object and this module disagree.
 */
export function decodeRecord(v: DataView, at: number, size: number): RawPacket | RawLifecycle | AbiError {
  if (size < 4) return new AbiError(`record of ${size} bytes`);
  const type = v.getUint32(at, true);
  if (type === RecordKind.packet) return decodePacket(v, at, size, emptyPacket());
  const kind = LIFECYCLE_KINDS[type as keyof typeof LIFECYCLE_KINDS];
  if (kind === undefined) return new AbiError(`record type ${type}`);
  if (size < LIFECYCLE.size) return new AbiError(`${kind} record of ${size} bytes`);
  const textLen = Math.min(v.getUint32(at + LIFECYCLE.text_len, true), PATH_MAX);
  return {
    kind,
    cpu: v.getUint32(at + LIFECYCLE.cpu, true),
    time: v.getBigUint64(at + LIFECYCLE.time, true),
    actorTid: v.getUint32(at + LIFECYCLE.actor_tid, true),
    actorPid: v.getUint32(at + LIFECYCLE.actor_pid, true),
    exitCode: v.getInt32(at + LIFECYCLE.exit_code, true),
    task: decodeTask(v, at + LIFECYCLE.task),
    text: cString(v, at + LIFECYCLE.text, textLen),
  };
}

/** A RawPacket to fill (decodePacket overwrites every field). */
export function emptyPacket(): RawPacket {
  return {
    kind: 'packet',
    cpu: 0,
    timeHi: 0,
    timeLo: 0,
    cookieHi: 0,
    cookieLo: 0,
    ifindex: 0,
    wireLen: 0,
    capLen: 0,
    dataOffset: 0,
    protocol: 0,
    direction: 'ingress',
    taskSource: TaskSource.none,
    taskOffset: 0,
  };
}

/**
 * The packet record at `at` (its type already read as a packet's), decoded into `out`, which
 * is returned: the recorder reuses one object for the hundreds of thousands a second.
 */
export function decodePacket(v: DataView, at: number, size: number, out: RawPacket): RawPacket | AbiError {
  if (size < PACKET.size) return new AbiError(`packet record of ${size} bytes`);
  const capLen = v.getUint32(at + PACKET.cap_len, true);
  if (PACKET.data + capLen > size) return new AbiError(`packet record of ${size} bytes claims ${capLen} packet bytes`);
  const direction = v.getUint8(at + PACKET.direction);
  const taskSource = v.getUint8(at + PACKET.task_source);
  if (direction !== DirectionCode.ingress && direction !== DirectionCode.egress) return new AbiError(`direction code ${direction}`);
  if (taskSource > TaskSource.socket) return new AbiError(`task source ${taskSource}`);
  out.cpu = v.getUint32(at + PACKET.cpu, true);
  out.timeLo = v.getUint32(at + PACKET.time, true);
  out.timeHi = v.getUint32(at + PACKET.time + 4, true);
  out.cookieLo = v.getUint32(at + PACKET.sock_cookie, true);
  out.cookieHi = v.getUint32(at + PACKET.sock_cookie + 4, true);
  out.ifindex = v.getUint32(at + PACKET.ifindex, true);
  out.wireLen = v.getUint32(at + PACKET.wire_len, true);
  out.capLen = capLen;
  out.dataOffset = at + PACKET.data;
  out.protocol = v.getUint16(at + PACKET.protocol, true);
  out.direction = direction === DirectionCode.ingress ? 'ingress' : 'egress';
  out.taskSource = taskSource as TaskSource;
  out.taskOffset = at + PACKET.task;
  return out;
}

export interface Counters {
  packets: bigint;
  lostPackets: bigint;
  lostLifecycle: bigint;
  truncated: bigint;
  /** Left out by the kernel-side --trace prefilter. */
  filtered: bigint;
  /** Sockets accepted or received (SCM_RIGHTS) whose new owner found no room in `claims`. */
  lostClaims: bigint;
}

export function decodeCounters(v: DataView, at: number): Counters {
  return {
    packets: v.getBigUint64(at + COUNTERS.packets, true),
    lostPackets: v.getBigUint64(at + COUNTERS.lost_packets, true),
    lostLifecycle: v.getBigUint64(at + COUNTERS.lost_lifecycle, true),
    truncated: v.getBigUint64(at + COUNTERS.truncated, true),
    filtered: v.getBigUint64(at + COUNTERS.filtered, true),
    lostClaims: v.getBigUint64(at + COUNTERS.lost_claims, true),
  };
}
