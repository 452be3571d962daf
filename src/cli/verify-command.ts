import { unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { inputIssue, InputError, systemMessage } from '../core/errors.ts';
import { terminalText } from '../core/terminal-text.ts';
import { releaseLock } from '../nev/directory.ts';
import { openRecording } from '../nev/recording.ts';
import { checkSegment, repairSegment, type Finding } from '../nev/verify.ts';
import { openSegment } from '../nev/segment-reader.ts';
import { checkOperands } from './parse.ts';
import type { ParsedArgs } from './spec.ts';

/**
 * `netrec verify cap.nev [--repair]`: one line per segment, then its findings. Exit 0 when every
 * segment is sealed and intact (after repair, if asked), else 1.
 */
export async function verifyCommand(args: ParsedArgs): Promise<number> {
  checkOperands(args.command, args.operands);
  const path = args.operands[0]!;
  const values = { repair: args.flag('repair') };
  const recording = await openRecording(path);
  if (values.repair && recording.writer !== undefined) {
    throw new InputError(`${path}: being written by process ${recording.writer}; stop it before --repair`);
  }
  const out: string[] = [];
  let bad = 0;
  const segments = recording.segments;
  for (const [i, { name, info, issues }] of segments.entries()) {
    if (info === undefined) {
      // Unreadable; only an empty last segment (a writer stopped as it created it) is expected,
      // and a repair removes it: it holds nothing.
      const stopped = issues.every((issue) => issue.severity === 'warning');
      if (stopped && values.repair) {
        const failed = removeFile(join(path, name));
        if (failed === undefined) {
          out.push(`${name}  repaired  removed: ${issues[0]!.message}`);
          continue;
        }
        issues.push(inputIssue(path, name, `repair could not remove it: ${failed}`));
      }
      for (const issue of issues) out.push(`${name}  ${stopped ? 'not sealed' : 'damaged'}  ${issue.message}`);
      bad++;
      continue;
    }
    const isLast = i === segments.length - 1;
    const check = await checkSegment(info, isLast);
    let status = check.findings.some((f) => f.severity === 'error') ? 'damaged' : info.sealed ? 'ok' : 'not sealed';
    let summary = `${check.records} records, ${check.packets} packets`;
    if (info.sealed) summary += `, sealed by ${info.footer!.sealedBy}, checksum ${info.footer!.checksum.toString(16).padStart(8, '0')}`;
    let findings = check.findings;
    if (values.repair && !info.sealed) {
      const result = await repairSegment(info, check, BigInt(Date.now()) * 1_000_000n);
      const reopened = result.ok ? await openSegment(info.path) : undefined;
      if (!result.ok || !reopened?.ok || !reopened.segment.sealed) {
        status = 'damaged';
        findings = [
          ...findings,
          { offset: info.bodyEnd, message: `repair failed: ${result.ok ? 'the repaired segment does not read as sealed' : result.problem}`, severity: 'error' },
        ];
      } else {
        summary += `; sealed by repair${result.removedBytes > 0 ? `, ${result.removedBytes} trailing bytes without a complete record removed` : ''}`;
        // Only the damage a repair leaves in place still counts.
        findings = findings.filter((f) => f.severity === 'error' && f.offset < result.footerOffset);
        status = findings.length > 0 ? 'damaged' : 'repaired';
      }
    }
    if (status !== 'ok' && status !== 'repaired') bad++;
    out.push(`${name}  ${status}  ${summary}`);
    for (const f of findings) out.push(`  ${formatFinding(f)}`);
  }
  // A killed writer's lock goes with the repair of what it left.
  if (values.repair && recording.isDirectory) releaseLock(path);
  // Segment names and messages quote the recording's bytes.
  process.stdout.write(`${out.map(terminalText).join('\n')}\n`);
  return bad > 0 ? 1 : 0;
}

/** Undefined once removed, else why not. */
function removeFile(path: string): string | undefined {
  try {
    unlinkSync(path);
    return undefined;
  } catch (err) {
    return systemMessage(err);
  }
}

function formatFinding(f: Finding): string {
  return `${f.severity}: offset ${f.offset}: ${f.message}`;
}
