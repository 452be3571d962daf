/**
 * `--split-by`: one capture file per group (process, comm, container, cgroup or flow) in the
 * export directory, and index.tsv listing key, file, packets and bytes.
 *
 * Many groups (a flow per connection) must not cost a descriptor or a megabyte each: outputs
 * share a small descriptor pool (DirectoryTarget), write small chunks, and all are flushed and
 * their chunks released once the buffered total passes a bound.
 */
import type { InputIssue } from '../core/errors.ts';
import type { CapturedPacket } from '../core/packet.ts';
import { escapeText } from '../core/escape.ts';
import type { DecodedPacket } from '../decode/packet.ts';
import { ByteOutput } from './byte-output.ts';
import type { CaptureOrigin, CaptureSink, Loss } from './capture-sink.ts';
import { INDEX_FILE, type DirectoryTarget } from './export-target.ts';
import { safeFileBase, splitKey, type SplitBy } from './split-key.ts';

/** Chunk of each group's output: small, there may be thousands. */
const GROUP_CHUNK_BYTES = 16 * 1024;
/** Buffered bytes across all groups before everything is flushed. */
const BUFFERED_LIMIT = 32 * 1024 * 1024;

interface Group {
  key: string;
  file: string;
  output: ByteOutput;
  sink: CaptureSink;
}

export interface SplitOptions {
  by: SplitBy;
  /** File name extension with its dot: '.pcapng' or '.pcap'. */
  extension: string;
  /** A capture sink writing to `output` (pcapng or pcap, without per-packet drop counts). */
  open(output: ByteOutput): CaptureSink;
}

export class SplitSink {
  private readonly groups = new Map<string, Group>();
  private readonly names = new Set<string>();
  private readonly losses: [CaptureOrigin, Loss][] = [];
  private buffered = 0;

  constructor(
    private readonly target: DirectoryTarget,
    private readonly opts: SplitOptions,
  ) {}

  write(p: CapturedPacket, d: DecodedPacket, origin: CaptureOrigin): InputIssue | undefined {
    const { key, label } = splitKey(this.opts.by, p, d);
    const group = this.groups.get(key) ?? this.openGroup(key, label);
    const issue = group.sink.write(p, origin);
    this.buffered += p.data.length + 64;
    if (this.buffered > BUFFERED_LIMIT) this.releaseAll();
    return issue;
  }

  /**
   * A lost packet's group is unknown, so every file reports all of its input's losses in its
   * statistics (not as epb_dropcount, which would claim the loss sat between two of its packets).
   */
  lost(origin: CaptureOrigin, loss: Loss): void {
    this.losses.push([origin, loss]);
  }

  async end(): Promise<InputIssue[]> {
    const issues: InputIssue[] = [];
    const lines = ['key\tfile\tpackets\tbytes'];
    for (const g of this.groups.values()) {
      for (const [origin, loss] of this.losses) g.sink.lost(origin, loss);
      issues.push(...(await g.sink.end()));
      g.output.release();
      lines.push(`${escapeText(g.key)}\t${g.file}\t${g.sink.packets}\t${g.sink.bytes}`);
    }
    const index = new ByteOutput(this.target.file(INDEX_FILE));
    index.write(Buffer.from(`${lines.join('\n')}\n`, 'utf8'));
    index.release();
    return issues;
  }

  get groupCount(): number {
    return this.groups.size;
  }

  private openGroup(key: string, label: string): Group {
    const base = safeFileBase(label);
    let file = `${base}${this.opts.extension}`;
    for (let n = 2; this.names.has(file); n++) file = `${base}-${n}${this.opts.extension}`;
    this.names.add(file);
    const output = new ByteOutput(this.target.file(file), GROUP_CHUNK_BYTES);
    const group: Group = { key, file, output, sink: this.opts.open(output) };
    this.groups.set(key, group);
    return group;
  }

  private releaseAll(): void {
    for (const g of this.groups.values()) if (g.output.pending > 0) g.output.release();
    this.buffered = 0;
  }
}
