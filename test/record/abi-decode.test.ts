import { describe, expect, it } from 'vitest';
import { AbiError, decodeRecord, encodeTask, LIFECYCLE, PACKET, TASK, type RawTask } from '../../src/record/abi.ts';

const task: RawTask = {
  startTime: 123456789012345n,
  cgroupId: 1n << 40n,
  hostTid: 4001,
  hostPid: 4000,
  hostPpid: 1,
  tid: 12,
  pid: 11,
  ppid: 0,
  uid: 1000,
  mntNs: 4026531841,
  pidNs: 4026531836,
  utsNs: 4026531838,
  flags: 0,
  comm: 'café',
  leaderComm: 'main',
};

function packet(cap: number, extra = 0): DataView {
  const b = Buffer.alloc(PACKET.size + cap + extra);
  b.writeUInt32LE(1, PACKET.type);
  b.writeUInt32LE(3, PACKET.cpu);
  b.writeBigUInt64LE(1_700_000_037_000_000_000n, PACKET.time);
  b.writeBigUInt64LE(0x5_0000_004dn, PACKET.sock_cookie);
  b.writeUInt32LE(2, PACKET.ifindex);
  b.writeUInt32LE(1500, PACKET.wire_len);
  b.writeUInt32LE(cap, PACKET.cap_len);
  b.writeUInt16LE(0x0800, PACKET.protocol);
  b.writeUInt8(2, PACKET.direction);
  b.writeUInt8(1, PACKET.task_source);
  encodeTask(task).copy(b, PACKET.task);
  b.fill(0x45, PACKET.data, PACKET.data + cap);
  return new DataView(b.buffer, b.byteOffset, b.length);
}

describe('decodeRecord', () => {
  it('decodes a packet record in place', () => {
    const v = packet(40, 8);
    const rec = decodeRecord(v, 0, v.byteLength);
    expect(rec).toMatchObject({
      kind: 'packet',
      cpu: 3,
      // 1_700_000_037_000_000_000 and 0x5_0000_004d in u32 halves
      timeHi: 395812102,
      timeLo: 3548983808,
      cookieHi: 5,
      cookieLo: 77,
      ifindex: 2,
      wireLen: 1500,
      capLen: 40,
      dataOffset: PACKET.data,
      protocol: 0x0800,
      direction: 'egress',
      taskSource: 1,
      taskOffset: PACKET.task,
    });
  });

  it('decodes a lifecycle record and the task seeding encodes', () => {
    const b = Buffer.alloc(LIFECYCLE.size);
    b.writeUInt32LE(3, LIFECYCLE.type);
    b.writeUInt32LE(4000, LIFECYCLE.actor_pid);
    b.writeUInt32LE(4001, LIFECYCLE.actor_tid);
    b.writeInt32LE(-1, LIFECYCLE.exit_code);
    b.writeUInt32LE(12, LIFECYCLE.text_len);
    b.write('/usr/bin/dig\0', LIFECYCLE.text);
    encodeTask(task).copy(b, LIFECYCLE.task);
    const life = decodeRecord(new DataView(b.buffer, b.byteOffset, b.length), 0, b.length);
    expect(life).toEqual({ kind: 'exec', cpu: 0, time: 0n, actorTid: 4001, actorPid: 4000, exitCode: -1, task, text: '/usr/bin/dig' });
  });

  it('truncates a comm at 15 bytes plus NUL', () => {
    const b = encodeTask({ ...task, comm: 'a-very-long-thread-name' });
    expect(b.subarray(TASK.comm, TASK.comm + 16).toString('latin1')).toBe('a-very-long-thr\0');
  });

  it('reports records that do not fit the layout as values', () => {
    expect(decodeRecord(packet(40), 0, PACKET.size + 10)).toBeInstanceOf(AbiError);
    expect(decodeRecord(packet(0), 0, 3)).toBeInstanceOf(AbiError);
    const v = packet(0);
    v.setUint32(0, 9, true);
    expect((decodeRecord(v, 0, v.byteLength) as AbiError).message).toBe('record type 9');
    const w = packet(0);
    w.setUint8(PACKET.direction, 7);
    expect(decodeRecord(w, 0, w.byteLength)).toBeInstanceOf(AbiError);
    const life = new DataView(new ArrayBuffer(LIFECYCLE.size - 1));
    life.setUint32(0, 2, true);
    expect(decodeRecord(life, 0, life.byteLength)).toBeInstanceOf(AbiError);
  });
});
