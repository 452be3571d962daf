/**
 * The one pass the TUI makes over a whole capture before anyone asks: it reads the source in
 * file order and keeps, per packet, only what the index holds, plus per-process packet counts.
 * Nothing is decoded here, so the pass runs at the reader's speed (about a million packets a
 * second) and the first rows can be shown after its first batch.
 */
import { inputIssue, type InputIssue } from '../../core/errors.ts';
import type { CapturedPacket } from '../../core/packet.ts';
import { isPacketItem } from '../../nev/recording.ts';
import { NevSource } from '../../replay/nev-source.ts';
import { isIssue, type PacketSource } from '../../core/source.ts';
import type { LifecycleTree } from '../../replay/lifecycle-tree.ts';
import type { PacketIndex } from './packet-index.ts';
import type { ProcessTable } from './process-table.ts';
import { findingRow, type FindingRow } from '../../sink/finding-output.ts';

/** Issues kept for the stats view; the rest are only counted. */
export const ISSUES_KEPT = 100;
/** Findings kept for the findings screen (a recording holds few); the rest are only counted. */
export const FINDINGS_KEPT = 10_000;

/** A finding the recorder stored (record --signatures), for the findings screen. */
export interface ScannedFinding {
  /** The packet that triggered it. */
  packetNumber: number;
  row: FindingRow;
}

export interface ScanState {
  done: boolean;
  /** Sum of the packets' lengths on the wire. */
  wireBytes: number;
  errors: number;
  warnings: number;
  /** The first ISSUES_KEPT issues, in file order. */
  issues: InputIssue[];
  /** The first FINDINGS_KEPT findings, in file order, and how many there are in all. */
  findings: ScannedFinding[];
  findingsTotal: number;
  /** Packet numbers that triggered a kept finding: their rows are marked. */
  findingPackets: Set<number>;
  /** Set when reading failed outright (the file vanished...): the index holds what came before. */
  failure?: string;
}

export interface ScanTargets {
  index: PacketIndex;
  processes: ProcessTable;
  lifecycle: LifecycleTree;
  state: ScanState;
  /** Called after each batch. */
  progressed(): void;
}

/**
 * The scan hands the event loop back this often. A reader with data buffered resolves batch after
 * batch in microtasks; without a pause the screen's timers and reads would wait for the file.
 */
const SCAN_SLICE_MS = 8;

export async function scanSource(source: PacketSource, targets: ScanTargets, signal: AbortSignal): Promise<void> {
  const { state } = targets;
  let sliceStart = performance.now();
  const progressed = async (): Promise<void> => {
    targets.progressed();
    if (performance.now() - sliceStart < SCAN_SLICE_MS) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
    sliceStart = performance.now();
  };
  try {
    if (source instanceof NevSource) await scanRecording(source, targets, progressed, signal);
    else {
      for await (const batch of source.batches()) {
        if (signal.aborted) return;
        for (const item of batch) {
          if (isIssue(item)) noteIssue(state, item);
          else addPacket(targets, item);
        }
        await progressed();
      }
    }
  } catch (error) {
    state.failure = error instanceof Error ? error.message : String(error);
  } finally {
    state.done = true;
    targets.progressed();
  }
}

async function scanRecording(source: NevSource, targets: ScanTargets, progressed: () => Promise<void>, signal: AbortSignal): Promise<void> {
  const { processes, lifecycle, state } = targets;
  const segments = source.recording.segments;
  for (const { info } of segments) {
    for (const p of info?.header?.processes ?? []) processes.learn(p.task, p.exePath);
  }
  const first = segments.find((s) => s.info?.header !== undefined)?.info?.header;
  if (first !== undefined) lifecycle.running(first.processes, first.createdAt);
  for await (const batch of source.records()) {
    if (signal.aborted) return;
    for (const item of batch) {
      if (isPacketItem(item)) addPacket(targets, item);
      else if (item.kind === 'issue') noteIssue(state, item);
      else if (item.kind === 'task') {
        processes.learn(item.task, item.exePath);
        lifecycle.define(item);
      } else if (item.kind === 'lifecycle') lifecycle.add(item);
      else if (item.kind === 'finding') {
        state.findingsTotal++;
        if (state.findings.length < FINDINGS_KEPT) {
          state.findings.push({ packetNumber: item.packetNumber, row: findingRow(item) });
          state.findingPackets.add(item.packetNumber);
        }
      } else if (item.kind === 'loss' && item.kernelLost + item.userDropped > 0n) {
        // A gap in the recording is never silent (the replay reader reports it the same way).
        const lost = item.kernelLost + item.userDropped;
        noteIssue(state, inputIssue(source.name, `time ${item.start}-${item.end}`, `lost ${lost} packets`, 'warning'));
      }
    }
    await progressed();
  }
}

function addPacket({ index, processes, state }: ScanTargets, packet: CapturedPacket): void {
  index.push(packet.number, packet.offset, packet.timestamp, packet.linkType);
  state.wireBytes += packet.originalLength;
  if (packet.task !== undefined) processes.count(packet.task, packet.originalLength);
}

function noteIssue(state: ScanState, issue: InputIssue): void {
  if (issue.severity === 'error') state.errors++;
  else state.warnings++;
  if (state.issues.length < ISSUES_KEPT) state.issues.push(issue);
}
