/**
 * The recorder's user-space cost per record, without the kernel: packet records laid out as the
 * ring buffer holds them (bpf/netrec.h) go through the recorder's record handler and the .nev
 * writer into a directory on /dev/shm (or --dir), as fast as they can.
 *
 *   npx tsx bench/record-pipeline.ts [--records 1000000] [--size 128] [--tasks 16] [--run 32] [--compress]
 *        [--write-thread] [--dir DIR]
 *
 * Prints µs per record (wall, CPU of the whole process: tsx's loader thread idles; and CPU of
 * the main thread alone, the one that drains the ring live) after 100,000 records of warm-up,
 * and the ceiling they give: records a second per core of CPU (with --compress, the rate
 * `record --compress` keeps up with).
 * --write-thread: checksums and writes on the writer's worker thread, as `netrec record` does. The same machine's live figures are in
 * docs/performance.md (bench/record-vs-tcpdump.ts); this one isolates the user-space part.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { encodeTask, PACKET, type RawTask } from '../src/record/abi.ts';
import { CgroupIndex } from '../src/record/cgroup.ts';
import type { CounterReader } from '../src/record/counters.ts';
import { Session, type RecordOptions } from '../src/record/recorder.ts';
import { TaskResolver } from '../src/record/tasks.ts';
import { RecordingWriter } from '../src/nev/recording-writer.ts';

const { values } = parseArgs({
  options: {
    records: { type: 'string', default: '1000000' },
    size: { type: 'string', default: '128' },
    tasks: { type: 'string', default: '16' },
    run: { type: 'string', default: '32' },
    compress: { type: 'boolean', default: false },
    'write-thread': { type: 'boolean', default: false },
    dir: { type: 'string', default: '/dev/shm' },
  },
});
const total = Number(values.records);
const size = Number(values.size);
const tasks = Number(values.tasks);
/** Consecutive records of one task (a busy socket's packets come in runs). */
const run = Number(values.run);
const WARMUP = 100_000;

/** A batch of ring records (8-byte ring header each, as RingReader hands them out). */
const BATCH = 4096;
const recordBytes = PACKET.size + size;
const stride = (recordBytes + 8 + 7) & ~7;
const ring = Buffer.alloc(BATCH * stride);
for (let i = 0; i < BATCH; i++) {
  const at = i * stride + 8;
  const t = Math.floor(i / run) % tasks;
  ring.writeUInt32LE(1, at + PACKET.type);
  ring.writeUInt32LE(i % 2, at + PACKET.cpu);
  ring.writeBigUInt64LE(1_750_000_000_000_000_000n + BigInt(i) * 5000n, at + PACKET.time);
  ring.writeBigUInt64LE(4096n + BigInt(t), at + PACKET.sock_cookie);
  ring.writeUInt32LE(7, at + PACKET.ifindex);
  ring.writeUInt32LE(size, at + PACKET.wire_len);
  ring.writeUInt32LE(size, at + PACKET.cap_len);
  ring.writeUInt16LE(0x0800, at + PACKET.protocol);
  ring.writeUInt8(2, at + PACKET.direction);
  ring.writeUInt8(1, at + PACKET.task_source);
  const task: RawTask = {
    startTime: 1000n + BigInt(t),
    cgroupId: 1n,
    hostTid: 1000 + t,
    hostPid: 1000 + t,
    hostPpid: 1,
    tid: 1000 + t,
    pid: 1000 + t,
    ppid: 1,
    uid: 0,
    mntNs: 4026531841,
    pidNs: 4026531836,
    utsNs: 4026531838,
    flags: 0,
    comm: 'udp-load',
    leaderComm: 'udp-load',
  };
  encodeTask(task).copy(ring, at + PACKET.task);
  // An IPv4/UDP header and a payload.
  ring[at + PACKET.data] = 0x45;
  ring.fill(0x61, at + PACKET.data + 28, at + PACKET.data + size);
}
const view = new DataView(ring.buffer, ring.byteOffset, ring.length);

const dir = mkdtempSync(join(values.dir, 'netrec-pipeline-'));
const writer = new RecordingWriter({
  dir: join(dir, 'cap.nev'),
  snaplen: 65535,
  origin: 'bench',
  compress: values.compress,
  writeThread: values['write-thread'],
});
const resolver = new TaskResolver(new CgroupIndex('/sys/fs/cgroup'), () => 'bench');
const counters = { delta: () => [] } as unknown as CounterReader;
const opts = { target: { dir }, snaplen: 65535, cgroupPath: '/', signal: new AbortController().signal } as RecordOptions;
const session = new Session(opts, writer, resolver, counters, { epochNow: () => 0n, taiOffset: () => 37_000_000_000n });

function feed(n: number): void {
  for (let done = 0; done < n; ) {
    for (let i = 0; i < BATCH && done < n; i++, done++) session.handle(view, i * stride + 8, recordBytes);
  }
}
/** CPU seconds of this process's main thread (clock ticks of 10 ms: the run lasts seconds). */
function mainThreadCpu(): number {
  const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

feed(WARMUP); // the JIT settles
const cpu0 = process.cpuUsage();
const main0 = mainThreadCpu();
const t0 = performance.now();
feed(total);
writer.close();
const wall = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
const mainCpu = mainThreadCpu() - main0;
rmSync(dir, { recursive: true, force: true });
const cpuPerRecord = (cpu.user + cpu.system) / total;
const mainPerRecord = (mainCpu * 1e6) / total;
const perCore = (us: number): string => Math.round(1e6 / us).toLocaleString('en-US');
console.log(
  `${total} records of ${size} bytes, ${tasks} tasks in runs of ${run}${values.compress ? ', --compress' : ''}${values['write-thread'] ? ', write thread' : ''}: ` +
    `${((wall * 1000) / total).toFixed(3)} µs/record wall, ${cpuPerRecord.toFixed(3)} µs/record CPU, ` +
    `${mainPerRecord.toFixed(3)} on the main thread ` +
    `(${Math.round(total / (wall / 1000)).toLocaleString('en-US')} records/s wall); ` +
    // The ceiling: what one core's worth of CPU records (and what the busiest thread, the one
    // that drains the ring, could keep up with on a core of its own).
    `ceiling ${perCore(cpuPerRecord)} records/s per core of CPU, the main thread alone ${perCore(mainPerRecord)}; ` +
    `load average ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`,
);
