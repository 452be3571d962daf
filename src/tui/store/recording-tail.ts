/**
 * The end of a recording without reading all of it: a sealed segment's footer counts its packets
 * and indexes its records, so the number and position of the last packets follow from the
 * footers alone and a seek reads them (at most one index interval of records too many). The
 * index scan still reads everything; this only lets G show the end while it runs.
 *
 * Only when every segment is sealed with a footer readers may trust: otherwise the count of the
 * packets before the tail is not known, and G waits for the scan as before.
 */
import { isPacketItem, readRecording, type Recording } from '../../nev/recording.ts';
import { RecordType } from '../../nev/records.ts';
import type { IndexedPacket } from './packet-index.ts';

/** Packets read at the end: a tall screen and the page above it. */
export const TAIL_PACKETS = 512;

export interface TailPlan {
  /** Index position of the first tail packet (the packets before it, by the footers' counts). */
  start: number;
  /** Its packet number. */
  fromPacket: number;
  count: number;
}

export function tailPlan(recording: Recording, keep = TAIL_PACKETS): TailPlan | undefined {
  let before = 0;
  const { segments } = recording;
  for (let i = 0; i < segments.length; i++) {
    const info = segments[i]!.info;
    if (info?.footer === undefined || info.header === undefined || !info.sealed || !info.footerConsistent) return undefined;
    const packets = info.footer.counts.get(RecordType.packet) ?? 0;
    if (i < segments.length - 1) {
      before += packets;
      continue;
    }
    if (packets === 0) return undefined;
    const count = Math.min(keep, packets);
    return { start: before + packets - count, fromPacket: info.header.firstPacketNumber + packets - count, count };
  }
  return undefined;
}

/**
 * The planned packets, read through the footers; undefined when the file does not hold what the
 * footers promise (the numbers must run on from `fromPacket`, as many as planned).
 */
export async function readTail(recording: Recording, plan: TailPlan, signal: AbortSignal): Promise<IndexedPacket[] | undefined> {
  const packets: IndexedPacket[] = [];
  const items = readRecording(recording, { fromPacket: plan.fromPacket });
  try {
    for await (const batch of items) {
      if (signal.aborted) return undefined;
      for (const item of batch) {
        if (!isPacketItem(item)) continue;
        if (item.number !== plan.fromPacket + packets.length) return undefined;
        packets.push({ number: item.number, offset: item.offset, timestamp: item.timestamp, linkType: item.linkType });
      }
    }
  } finally {
    await items.return(undefined);
  }
  return packets.length === plan.count ? packets : undefined;
}
