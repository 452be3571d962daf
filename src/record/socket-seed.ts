/**
 * Gives the IPv4/IPv6 sockets that existed before recording started an owner in the kernel's
 * socket storage, so their packets are attributed like those of new sockets.
 *
 * The storage map is keyed by a socket file descriptor of the caller. pidfd_getfd() copies each
 * socket descriptor of another process into ours (root may; Yama ptrace_scope 3 forbids it), the
 * map update stores the owner, and the copy is closed. BPF_NOEXIST keeps any entry the socket
 * hooks made since attaching, which are exact where ours are approximate (see proc.ts).
 */
import { closeSync, readdirSync, readlinkSync } from 'node:fs';
import { encodeTask, type RawTask } from './abi.ts';
import { BPF_NOEXIST, type Libbpf, type Libc } from './libbpf.ts';

const AF_INET = 2;
const AF_INET6 = 10;
const EEXIST = 17;

export interface SeedResult {
  /** Sockets given an owner. */
  seeded: number;
  /** Sockets that already had one (created or used since attaching). */
  alreadyOwned: number;
  /** Processes whose descriptors could not be copied (exited, or not permitted). */
  unreachable: number;
}

/**
 * `owners`: the main thread of each process, as read from /proc. A socket shared by several
 * processes (inherited across fork) goes to the first one, in pid order: usually the parent.
 */
export function seedSockets(libbpf: Libbpf, libc: Libc, mapFd: number, owners: readonly RawTask[]): SeedResult {
  const result: SeedResult = { seeded: 0, alreadyOwned: 0, unreachable: 0 };
  const done = new Set<string>();
  const key = Buffer.alloc(4);
  for (const owner of owners) {
    const sockets = socketFds(owner.hostPid).filter(([, inode]) => !done.has(inode));
    if (sockets.length === 0) continue;
    const pidfd = libc.pidfdOpen(owner.hostPid);
    if (pidfd < 0) {
      result.unreachable++;
      continue;
    }
    const value = encodeTask(owner);
    try {
      for (const [fd, inode] of sockets) {
        const copy = libc.pidfdGetfd(pidfd, fd);
        if (copy < 0) continue; // closed in the meantime
        try {
          const family = libc.socketDomain(copy);
          if (family !== AF_INET && family !== AF_INET6) continue;
          done.add(inode);
          key.writeInt32LE(copy, 0);
          const err = libbpf.mapUpdate(mapFd, key, value, BPF_NOEXIST);
          if (err === 0) result.seeded++;
          else if (err === -EEXIST) result.alreadyOwned++;
        } finally {
          closeSync(copy);
        }
      }
    } finally {
      closeSync(pidfd);
    }
  }
  return result;
}

/** [fd, "socket:[inode]"] for each socket descriptor of a process. */
function socketFds(pid: number): [number, string][] {
  let names: string[];
  try {
    names = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return [];
  }
  const out: [number, string][] = [];
  for (const name of names) {
    try {
      const target = readlinkSync(`/proc/${pid}/fd/${name}`);
      if (target.startsWith('socket:[')) out.push([Number(name), target]);
    } catch {
      // closed while we listed
    }
  }
  return out;
}
