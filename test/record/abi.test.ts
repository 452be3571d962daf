/**
 * src/record/abi.ts mirrors bpf/netrec.h. Checked two ways: against the BTF of the committed
 * object (the layout the kernel side really uses) and against the header compiled for the host
 * (which also covers structs the object's BTF does not carry, such as nr_lifecycle).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CONFIG, COUNTERS, LIFECYCLE, PACKET, TASK, UTS_NAME } from '../../src/record/abi.ts';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const OBJECT = join(REPO, 'bpf/netrec.bpf.o');

/** struct name → the abi.ts table: member offsets by C name, plus `size`. */
const TABLES: Record<string, Record<string, number>> = {
  nr_task: TASK,
  nr_packet: PACKET,
  nr_lifecycle: LIFECYCLE,
  nr_counters: COUNTERS,
  nr_config: CONFIG,
  nr_uts_name: UTS_NAME,
};

function tool(name: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function need(name: string): boolean {
  if (tool(name)) return true;
  if (process.env.CI === 'true') throw new Error(`${name} is required on CI`);
  console.warn(`skipping ABI checks that need ${name}`);
  return false;
}

/** The table a struct should have: its members (padding fields excluded) and size. */
function expected(members: [string, number][], size: number): Record<string, number> {
  return Object.fromEntries([...members.filter(([n]) => !n.startsWith('_pad')), ['size', size]]);
}

describe.skipIf(!need('bpftool'))('ABI against the object BTF', () => {
  it('matches every nr_* struct the object carries', () => {
    const btf = JSON.parse(execFileSync('bpftool', ['-j', 'btf', 'dump', 'file', OBJECT], { encoding: 'utf8' })) as {
      types: { kind: string; name?: string; size?: number; members?: { name: string; bits_offset: number }[] }[];
    };
    const structs = btf.types.filter((t) => t.kind === 'STRUCT' && t.name !== undefined && t.name in TABLES);
    expect(structs.map((s) => s.name).sort()).toEqual(['nr_config', 'nr_counters', 'nr_packet', 'nr_task', 'nr_uts_name']);
    for (const s of structs) {
      const members = s.members!.map((m) => [m.name, m.bits_offset / 8] as [string, number]);
      expect(TABLES[s.name!], s.name).toEqual(expected(members, s.size!));
    }
  });
});

describe.skipIf(!need('clang'))('ABI against the header compiled for the host', () => {
  it('matches every struct of netrec.h', () => {
    const dir = mkdtempSync(join(tmpdir(), 'netrec-abi-'));
    try {
      const lines = Object.entries(TABLES).flatMap(([struct, fields]) => [
        ...Object.keys(fields)
          .filter((f) => f !== 'size')
          .map((f) => `printf("${struct} ${f} %zu\\n", offsetof(struct ${struct}, ${f}));`),
        `printf("${struct} size %zu\\n", sizeof(struct ${struct}));`,
      ]);
      const source = [
        '#include <stdio.h>',
        '#include <stddef.h>',
        '#include <linux/types.h>',
        `#include "${join(REPO, 'bpf/netrec.h')}"`,
        'int main(void) {',
        ...lines,
        'return 0; }',
      ].join('\n');
      writeFileSync(join(dir, 'abi.c'), source);
      execFileSync('clang', ['-o', join(dir, 'abi'), join(dir, 'abi.c')]);
      const measured: Record<string, Record<string, number>> = {};
      for (const line of execFileSync(join(dir, 'abi'), { encoding: 'utf8' }).trim().split('\n')) {
        const [struct, field, value] = line.split(' ');
        measured[struct!] ??= {};
        measured[struct!]![field!] = Number(value);
      }
      expect(measured).toEqual(TABLES);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
