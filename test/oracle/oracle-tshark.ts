/**
 * tshark as the oracle, configured to decode packet by packet as netrec does. One tshark run per
 * capture, through test/helpers/tshark.ts (per-frame fields and sectioned DNS messages):
 *  - TCP and DNS-over-TCP reassembly stay on: netrec reassembles DNS over TCP too, and a message
 *    belongs to the segment that completes it in both.
 *  - IPv4/IPv6 defragmentation is off: netrec does not reassemble IP fragments (a non-first
 *    fragment gives only the IP event; issue 2 "Decoding", src/decode/packet.ts). With
 *    defragmentation off tshark, like netrec, dissects the transport header of a first fragment
 *    and shows later fragments as data.
 * The helper takes the tshark binary as an option but no preferences, so it is given a small
 * wrapper script that adds the two preferences and keeps a copy of tshark's JSON. From that copy
 * come the few things the helper's frames do not carry: whether a record is a packet at all
 * (pcapng custom and decryption-secrets blocks are tshark frames without encapsulation, which
 * netrec does not number), tshark's Malformed and snaplen-cut marks, the IP length fields
 * (PktMeta.packet_len) and ip.cur_rt (see FrameMarks.ipCurRt).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collectField, tsharkFrames, type TsharkFrame } from '../helpers/tshark.ts';

const NO_DEFRAG = ['-o', 'ip.defragment:FALSE', '-o', 'ipv6.defragment:FALSE'];

/** What the helper's frames do not say about one frame. */
export interface FrameMarks {
  /** frame.encap_type is absent: a pcapng record that is not a packet. */
  notAPacket: boolean;
  /** tshark's _ws.malformed. */
  malformed: boolean;
  /** Cut by the snaplen (tshark's _ws.short). */
  short: boolean;
  /** ip.len of the outermost IPv4 header. */
  ipLen?: number;
  /** ipv6.plen of the outermost IPv6 header. */
  ipv6Plen?: number;
  /**
   * The outermost IPv4 header's Destination Address field when a source-route option is present:
   * tshark then reports the route's final hop as ip.dst and the header's field as ip.cur_rt.
   */
  ipCurRt?: string;
}

export interface OracleFrame extends TsharkFrame, FrameMarks {
  /** netrec's CapturedPacket.number for this frame. */
  packet: number;
}

export type OracleRun =
  | { refused: false; frames: OracleFrame[] }
  /** tshark stopped with an error (the helper's message). */
  | { refused: true; reason: string };

type Json = string | Json[] | { [key: string]: Json };

function firstObject(v: Json | undefined): { [key: string]: Json } | undefined {
  const x = Array.isArray(v) ? v[0] : v;
  return typeof x === 'object' && x !== null && !Array.isArray(x) ? x : undefined;
}

function hasKey(n: Json, key: string): boolean {
  if (Array.isArray(n)) return n.some((x) => hasKey(x, key));
  if (typeof n !== 'object' || n === null) return false;
  return Object.entries(n).some(([k, v]) => k === key || hasKey(v, key));
}

function marksOf(layers: { [key: string]: Json }): [frame: number, marks: FrameMarks] {
  const frame = firstObject(layers.frame);
  const ip = firstObject(layers.ip);
  const ipv6 = firstObject(layers.ipv6);
  const m: FrameMarks = {
    notAPacket: frame?.['frame.encap_type'] === undefined,
    malformed: hasKey(layers, '_ws.malformed'),
    short: hasKey(layers, '_ws.short'),
  };
  const ipLen = ip?.['ip.len'];
  if (typeof ipLen === 'string') m.ipLen = Number(ipLen);
  const plen = ipv6?.['ipv6.plen'];
  if (typeof plen === 'string') m.ipv6Plen = Number(plen);
  const curRt = collectField(ip, 'ip.cur_rt')[0];
  if (curRt !== undefined) m.ipCurRt = curRt;
  return [Number(frame?.['frame.number']), m];
}

export async function runOracle(file: string): Promise<OracleRun> {
  const dir = mkdtempSync(join(tmpdir(), 'netrec-oracle-'));
  try {
    const copy = join(dir, 'tshark.json');
    const wrapper = join(dir, 'tshark');
    const real = process.env.TSHARK ?? 'tshark';
    writeFileSync(
      wrapper,
      [
        '#!/bin/sh',
        `${JSON.stringify(real)} ${NO_DEFRAG.join(' ')} "$@" > ${JSON.stringify(copy)}`,
        'status=$?',
        `cat ${JSON.stringify(copy)}`,
        'exit $status',
        '',
      ].join('\n'),
      { mode: 0o755 },
    );
    let frames: TsharkFrame[];
    try {
      frames = await tsharkFrames(file, { tshark: wrapper });
    } catch (error) {
      return { refused: true, reason: error instanceof Error ? error.message : String(error) };
    }
    const text = readFileSync(copy, 'utf8');
    const packets = text.trim() === '' ? [] : (JSON.parse(text) as Array<{ _source: { layers: { [key: string]: Json } } }>);
    const marks = new Map(packets.map((p) => marksOf(p._source.layers)));
    const out: OracleFrame[] = [];
    let packet = 0;
    for (const f of frames) {
      const m = marks.get(f.frame);
      if (m === undefined) throw new Error(`${file}: frame ${f.frame} missing from tshark's JSON`);
      if (m.notAPacket) continue;
      out.push({ ...f, ...m, packet: ++packet });
    }
    return { refused: false, frames: out };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
