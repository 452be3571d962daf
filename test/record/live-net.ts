/**
 * A private network for live-capture tests and for recording fixtures: a network namespace
 * joined to the host by a veth pair, bind9's named inside it, and helpers to run the recorder,
 * tcpdump and test clients as child processes.
 *
 *   host side       <veth>h  172.16.17.1/24  fd6e:a63d:71f:2f4::1/64
 *   namespace side  <veth>n  172.16.17.2/24  fd6e:a63d:71f:2f4::2/64
 *
 * Traffic only goes to those addresses. Everything is torn down by teardown(), which is safe to
 * call twice and after a failed setup. Processes are ended by their pid, never by name.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const H4 = '172.16.17.1';
export const N4 = '172.16.17.2';
export const H6 = 'fd6e:a63d:71f:2f4::1';
export const N6 = 'fd6e:a63d:71f:2f4::2';

export const REPO = fileURLToPath(new URL('../..', import.meta.url));
const NETREC = join(REPO, 'bin/netrec.mjs');

export const REQUIRED_TOOLS = ['ip', 'tcpdump', 'named', 'named-checkconf', 'dig', 'nc', 'ping', 'bpftool'] as const;

/** Why live tests cannot run here, or undefined when they can. */
export function liveUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'live capture tests need root';
  for (const tool of REQUIRED_TOOLS) {
    try {
      execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
    } catch {
      return `live capture tests need ${tool} (see .ci/run for the Debian packages)`;
    }
  }
  return undefined;
}

/** `reason` when clang (which builds the tests' C programs) is missing, else undefined. */
export function compilerUnavailable(reason: string): string | undefined {
  try {
    execFileSync('sh', ['-c', 'command -v clang'], { stdio: 'ignore' });
    return undefined;
  } catch {
    return reason;
  }
}

export function sh(cmd: string, args: string[], opts: { input?: string; timeout?: number } = {}): string {
  return execFileSync(cmd, args, { encoding: 'utf8', timeout: opts.timeout ?? 20_000, input: opts.input ?? '', stdio: ['pipe', 'pipe', 'pipe'] });
}

/**
 * Every LiveNet uses the same subnets, so test files that run at the same time (vitest runs
 * files in parallel) take turns: a lock file holding the owner's pid, taken by setup() and
 * given back by teardown(); a lock whose owner is gone is taken over.
 */
const NET_LOCK = join(tmpdir(), 'netrec-test-net.lock');
const NET_LOCK_WAIT_MS = 300_000;

function lockTestNet(): void {
  const deadline = Date.now() + NET_LOCK_WAIT_MS;
  for (;;) {
    try {
      writeFileSync(NET_LOCK, String(process.pid), { flag: 'wx' });
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const owner = Number(readFileSync(NET_LOCK, { encoding: 'utf8', flag: 'r' }) || 0);
    if (owner === process.pid) return;
    if (!alive(owner)) {
      rmSync(NET_LOCK, { force: true });
      continue;
    }
    if (Date.now() > deadline) throw new Error(`the test network is still held by process ${owner} after ${NET_LOCK_WAIT_MS / 1000} s`);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 250);
  }
}

function unlockTestNet(): void {
  try {
    if (Number(readFileSync(NET_LOCK, 'utf8')) === process.pid) rmSync(NET_LOCK, { force: true });
  } catch {
    // not held
  }
}

function alive(pid: number): boolean {
  if (!(pid > 0)) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export class LiveNet {
  readonly ns: string;
  readonly hostIf: string;
  readonly nsIf: string;
  readonly work: string;
  private readonly children: ChildProcess[] = [];

  constructor(tag: string) {
    this.ns = `netrec-${tag}`;
    this.hostIf = `nr${tag}h`.slice(0, 15);
    this.nsIf = `nr${tag}n`.slice(0, 15);
    this.work = mkdtempSync(join(tmpdir(), `netrec-${tag}-`));
  }

  setup(): void {
    lockTestNet();
    this.removeNet();
    const routed = sh('ip', ['-4', 'route', 'show', 'to', 'match', N4])
      .split('\n')
      .filter((l) => l && !l.startsWith('default'));
    if (routed.length > 0) throw new Error(`172.16.17.0/24 is already routed on this host: ${routed.join('; ')}`);
    sh('ip', ['netns', 'add', this.ns]);
    sh('ip', ['link', 'add', this.hostIf, 'type', 'veth', 'peer', 'name', this.nsIf, 'netns', this.ns]);
    this.inNs('ip', ['link', 'set', 'lo', 'up']);
    for (const [dev, run] of [
      [this.hostIf, (c: string, a: string[]) => sh(c, a)],
      [this.nsIf, (c: string, a: string[]) => this.inNs(c, a)],
    ] as const) {
      // No router solicitations or DAD: keep the link quiet apart from the test's own traffic.
      run('sysctl', ['-qw', `net.ipv6.conf.${dev}.accept_ra=0`]);
      run('sysctl', ['-qw', `net.ipv6.conf.${dev}.router_solicitations=0`]);
      // Wire-sized segments and no coalescing: what tcpdump sees is what the sockets sent.
      try {
        run('ethtool', ['-K', dev, 'tso', 'off', 'gso', 'off', 'gro', 'off']);
      } catch {
        // ethtool is optional: the tests send small messages anyway
      }
    }
    sh('ip', ['addr', 'add', `${H4}/24`, 'dev', this.hostIf]);
    sh('ip', ['addr', 'add', `${H6}/64`, 'dev', this.hostIf, 'nodad']);
    this.inNs('ip', ['addr', 'add', `${N4}/24`, 'dev', this.nsIf]);
    this.inNs('ip', ['addr', 'add', `${N6}/64`, 'dev', this.nsIf, 'nodad']);
    sh('ip', ['link', 'set', this.hostIf, 'up']);
    this.inNs('ip', ['link', 'set', this.nsIf, 'up']);
    // Static neighbours: no ARP or neighbour discovery in the middle of a capture.
    const macHost = readFileSync(`/sys/class/net/${this.hostIf}/address`, 'utf8').trim();
    const macNs = this.inNs('cat', [`/sys/class/net/${this.nsIf}/address`]).trim();
    sh('ip', ['neigh', 'replace', N4, 'lladdr', macNs, 'dev', this.hostIf, 'nud', 'permanent']);
    sh('ip', ['neigh', 'replace', N6, 'lladdr', macNs, 'dev', this.hostIf, 'nud', 'permanent']);
    this.inNs('ip', ['neigh', 'replace', H4, 'lladdr', macHost, 'dev', this.nsIf, 'nud', 'permanent']);
    this.inNs('ip', ['neigh', 'replace', H6, 'lladdr', macHost, 'dev', this.nsIf, 'nud', 'permanent']);
  }

  inNs(cmd: string, args: string[], opts: { input?: string; timeout?: number } = {}): string {
    return sh('ip', ['netns', 'exec', this.ns, cmd, ...args], opts);
  }

  /** When set, spawn() starts every process in this cgroup v2 directory. */
  cgroup: string | undefined;

  /** A background process, ended by teardown() if still running. */
  spawn(cmd: string, args: string[], opts: { inNs?: boolean; stdin?: string } = {}): Child {
    let argv = opts.inNs ? ['ip', 'netns', 'exec', this.ns, cmd, ...args] : [cmd, ...args];
    // The shell moves itself into the cgroup, then becomes the command (same pid).
    if (this.cgroup !== undefined) argv = ['sh', '-c', 'echo $$ > "$0/cgroup.procs" && exec "$@"', this.cgroup, ...argv];
    const proc = spawn(argv[0]!, argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
    this.children.push(proc);
    const child = new Child(proc);
    if (opts.stdin !== undefined) proc.stdin!.end(opts.stdin);
    return child;
  }

  /** bind9's named inside the namespace, authoritative for the zones of `dns` (named.conf.in and zone files). */
  async startNamed(dns = join(REPO, 'fixtures/dns')): Promise<Child> {
    const run = join(this.work, 'named');
    rmSync(run, { recursive: true, force: true });
    sh('mkdir', ['-p', run]);
    const conf = readFileSync(join(dns, 'named.conf.in'), 'utf8').replaceAll('@ZONEDIR@', dns).replaceAll('@RUNDIR@', run);
    writeFileSync(join(run, 'named.conf'), conf);
    sh('named-checkconf', ['-z', join(run, 'named.conf')]);
    const named = this.spawn('named', ['-g', '-n', '1', '-c', join(run, 'named.conf')], { inNs: true });
    await named.waitFor(/running$/m, 'stderr', 20_000);
    return named;
  }

  /** Runs `cmd` and returns its stdout; `inNs` runs it in the namespace. */
  run(cmd: string, args: string[], opts: { inNs?: boolean; input?: string; timeout?: number } = {}): string {
    return opts.inNs ? this.inNs(cmd, args, opts) : sh(cmd, args, opts);
  }

  /** A copy of bash under another name: its comm (and that of its forks) is `name`. */
  renamedShell(name: string): string {
    const path = join(this.work, name);
    copyFileSync('/bin/bash', path);
    sh('chmod', ['755', path]);
    return path;
  }

  teardown(): void {
    for (const c of this.children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    this.removeNet();
    rmSync(this.work, { recursive: true, force: true });
    unlockTestNet();
  }

  private removeNet(): void {
    try {
      const pids = sh('ip', ['netns', 'pids', this.ns]).split('\n').filter(Boolean);
      for (const pid of pids) process.kill(Number(pid), 'SIGKILL');
      sh('ip', ['netns', 'del', this.ns]);
    } catch {
      // no such namespace
    }
    try {
      sh('ip', ['link', 'del', this.hostIf]);
    } catch {
      // no such link
    }
  }
}

/** A spawned process with its output collected. */
export class Child {
  stdout = '';
  stderr = '';
  readonly exited: Promise<number | null>;

  constructor(readonly proc: ChildProcess) {
    proc.stdout!.setEncoding('utf8').on('data', (d: string) => (this.stdout += d));
    proc.stderr!.setEncoding('utf8').on('data', (d: string) => (this.stderr += d));
    this.exited = new Promise((resolve) => proc.on('close', (code) => resolve(code)));
  }

  get pid(): number {
    return this.proc.pid!;
  }

  /** Resolves when `pattern` shows up in the stream; rejects on timeout or exit. */
  waitFor(pattern: RegExp, stream: 'stdout' | 'stderr', timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => pattern.test(this[stream]);
      if (check()) return resolve();
      const timer = setTimeout(() => done(new Error(`timed out waiting for ${pattern} from ${this.proc.spawnfile}: ${this.stderr.slice(-500)}`)), timeoutMs);
      const onData = (): void => void (check() && done());
      const onClose = (): void => done(new Error(`${this.proc.spawnfile} exited before ${pattern}: ${this.stderr.slice(-500)}`));
      const done = (err?: Error): void => {
        clearTimeout(timer);
        this.proc.stdout!.off('data', onData);
        this.proc.stderr!.off('data', onData);
        this.proc.off('close', onClose);
        if (err) reject(err);
        else resolve();
      };
      this.proc[stream]!.on('data', onData);
      this.proc.on('close', onClose);
    });
  }

  /** Sends `signal` and waits for the exit code. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill(signal);
    return this.exited;
  }
}

/** `netrec <args>` as a child process (through bin/netrec.mjs, as a user runs it). */
export function netrec(net: LiveNet, args: string[]): Child {
  return net.spawn(process.execPath, [NETREC, ...args]);
}

/** The ids of programs attached to a cgroup (bpftool is a test tool here, never used at run time). */
export function attachedProgramIds(cgroup: string): number[] {
  const out = sh('bpftool', ['-j', 'cgroup', 'show', cgroup]);
  const list = out.trim() === '' ? [] : (JSON.parse(out) as { id: number }[]);
  return list.map((p) => p.id);
}

export function programExists(id: number): boolean {
  try {
    sh('bpftool', ['prog', 'show', 'id', String(id)]);
    return true;
  } catch {
    return false;
  }
}
