/**
 * The traffic of the live tests and of the recorded fixtures: real clients on the host side of a
 * LiveNet, real servers in its namespace. Each scenario returns its flows: how to recognise the
 * flow's packets and the pids the test started on each side.
 */
import { sh, type Child, type LiveNet, N4, N6 } from './live-net.ts';
import type { Summary } from './packets.ts';

export interface Flow {
  name: string;
  match: (s: Summary) => boolean;
  /** Pids of the host-side processes (clients). */
  host: number[];
  /** Pids of the namespace-side processes; empty when the namespace's kernel answers (ping). */
  ns: number[];
}

/** A parent whose forked children do the network I/O. */
export interface ProcessTree {
  parent: number;
  /** A forked subshell (same comm as the parent) talking TCP. */
  subshell: number;
  /** An exec'd nc talking UDP. */
  nc: number;
}

export const FORKER_COMM = 'nrforker';

const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Starts an nc server in the namespace and waits until it listens; `nc` is its pid. */
async function server(net: LiveNet, proto: 'tcp' | 'udp', addr: string, port: number, reply?: string): Promise<{ child: Child; nc: number }> {
  const args = proto === 'tcp' ? ['-N', '-l', addr, String(port)] : ['-u', '-l', addr, String(port)];
  const child = net.spawn('timeout', ['20', 'nc', ...args], { inNs: true, ...(reply !== undefined ? { stdin: reply } : {}) });
  const state = proto === 'tcp' ? '-Hltn' : '-Huln';
  for (let i = 0; i < 100; i++) {
    if (net.inNs('ss', [state, `sport = :${port}`]).trim() !== '') {
      // `timeout` runs nc as its child.
      return {
        child,
        nc: Number(
          sh('pgrep', ['-P', String(child.pid)])
            .trim()
            .split('\n')[0],
        ),
      };
    }
    await pause(50);
  }
  throw new Error(`nc ${proto} ${port} is not listening`);
}

/** Runs a client to completion; throws when it fails. */
async function client(net: LiveNet, cmd: string, args: string[], stdin?: string): Promise<Child> {
  const c = net.spawn(cmd, args, stdin !== undefined ? { stdin } : {});
  const code = await c.exited;
  if (code !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${code}: ${c.stderr}`);
  return c;
}

const onPort = (proto: number, port: number) => (s: Summary) => s.proto === proto && (s.sport === port || s.dport === port);

/** dig on the host against named in the namespace: UDP and TCP, IPv4 and IPv6, many types. */
export async function dns(net: LiveNet, named: Child): Promise<Flow[]> {
  const digs: number[] = [];
  for (const [server, ...q] of [
    [N4, 'netrec.test', 'A'],
    [N4, 'netrec.test', 'MX'],
    [N4, 'netrec.test', 'NS'],
    [N4, 'netrec.test', 'SOA'],
    [N4, 'netrec.test', 'TXT'],
    [N4, '_sip._tcp.netrec.test', 'SRV'],
    [N4, 'www.netrec.test', 'A'],
    [N6, 'netrec.test', 'AAAA'],
    [N4, '+tcp', 'netrec.test', 'MX'],
    [N6, '+tcp', 'netrec.test', 'SOA'],
  ] as const) {
    digs.push((await client(net, 'dig', [`@${server}`, '+tries=1', '+time=3', ...q])).pid);
  }
  return [{ name: 'dns', match: (s) => s.sport === 53 || s.dport === 53, host: digs, ns: [named.pid] }];
}

/** nc both ways over TCP, IPv4 (port 5000) and IPv6 (5001): the server accepts. */
export async function tcp(net: LiveNet): Promise<Flow[]> {
  const flows: Flow[] = [];
  for (const [addr, port] of [
    [N4, 5000],
    [N6, 5001],
  ] as const) {
    const srv = await server(net, 'tcp', addr, port, 'from server\n');
    const cli = await client(net, 'nc', ['-N', addr, String(port)], 'from client\n');
    await srv.child.exited;
    flows.push({ name: `tcp ${port}`, match: onPort(6, port), host: [cli.pid], ns: [srv.nc] });
  }
  return flows;
}

/** nc datagrams, IPv4 (port 5002) and IPv6 (5003). */
export async function udp(net: LiveNet): Promise<Flow[]> {
  const flows: Flow[] = [];
  for (const [addr, port, family] of [
    [N4, 5002, '-4'],
    [N6, 5003, '-6'],
  ] as const) {
    const srv = await server(net, 'udp', addr, port);
    const cli = await client(net, 'nc', [family, '-u', '-q0', addr, String(port)], `udp to ${port}\n`);
    await pause(200);
    await srv.child.stop();
    flows.push({ name: `udp ${port}`, match: onPort(17, port), host: [cli.pid], ns: [srv.nc] });
  }
  return flows;
}

/** ping; the namespace's kernel answers, so that side has no task. */
export async function icmp(net: LiveNet): Promise<Flow[]> {
  const ping = await client(net, 'ping', ['-c', '2', '-i', '0.2', '-W', '2', N4]);
  return [{ name: 'icmp', match: (s) => s.proto === 1, host: [ping.pid], ns: [] }];
}

export async function icmpv6(net: LiveNet): Promise<Flow[]> {
  const ping = await client(net, 'ping', ['-6', '-c', '2', '-i', '0.2', '-W', '2', N6]);
  return [{ name: 'icmpv6', match: (s) => s.proto === 58, host: [ping.pid], ns: [] }];
}

/**
 * A shell named nrforker whose children talk: a forked subshell over TCP (port 5004, through
 * bash's /dev/tcp) and an exec'd nc over UDP (port 5005).
 */
export async function processTree(net: LiveNet): Promise<{ flows: Flow[]; tree: ProcessTree }> {
  const tcpSrv = await server(net, 'tcp', N4, 5004);
  const udpSrv = await server(net, 'udp', N4, 5005);
  const script = [
    `( exec 3<>/dev/tcp/${N4}/5004; echo "subshell $BASHPID"; printf 'forked\\n' >&3; exec 3>&- )`,
    `printf 'forked udp\\n' | nc -u -q0 ${N4} 5005 & echo "nc $!"`,
    'wait',
  ].join('\n');
  const parent = await client(net, net.renamedShell(FORKER_COMM), ['-c', script]);
  const pidOf = (label: string): number => Number(new RegExp(`^${label} (\\d+)$`, 'm').exec(parent.stdout)?.[1]);
  const tree = { parent: parent.pid, subshell: pidOf('subshell'), nc: pidOf('nc') };
  await tcpSrv.child.exited;
  await pause(200);
  await udpSrv.child.stop();
  return {
    tree,
    flows: [
      { name: 'forked tcp 5004', match: onPort(6, 5004), host: [tree.subshell], ns: [tcpSrv.nc] },
      { name: 'forked udp 5005', match: onPort(17, 5005), host: [tree.nc], ns: [udpSrv.nc] },
    ],
  };
}
