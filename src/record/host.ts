/**
 * What the recorder asks the host about: the names of its network interfaces (/sys/class/net)
 * and the UTS (host) names the BPF program collected per UTS namespace.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { LinkType } from '../core/packet.ts';
import type { InterfaceEntry } from '../nev/records.ts';
import { UTS_NAME } from './abi.ts';
import type { Libbpf } from './libbpf.ts';
import { decodeUtsName, type UtsLookup } from './tasks.ts';

/** The host name of a UTS namespace (by inode), from the BPF map that holds them. */
export function utsLookup(libbpf: Libbpf, mapFd: number): UtsLookup {
  const key = Buffer.alloc(4);
  const value = Buffer.alloc(UTS_NAME.size);
  return (inode) => {
    key.writeUInt32LE(inode >>> 0, 0);
    return libbpf.mapLookup(mapFd, key, value) === 0 ? decodeUtsName(value) : undefined;
  };
}

/** ARPHRD_* (include/uapi/linux/if_arp.h) → LINKTYPE_*; Linux presents loopback as Ethernet. */
const ARPHRD_LINKTYPE: Record<number, number> = { 1: LinkType.ETHERNET, 772: LinkType.ETHERNET };

/**
 * The interfaces of the recorder's network namespace. Packets of other namespaces (containers,
 * veth peers) carry ifindexes of their own namespace, which this table does not name.
 */
export function hostInterfaces(): InterfaceEntry[] {
  const out: InterfaceEntry[] = [];
  let names: string[] = [];
  try {
    names = readdirSync('/sys/class/net');
  } catch {
    return out;
  }
  for (const name of names) {
    try {
      const ifindex = Number(readFileSync(`/sys/class/net/${name}/ifindex`, 'utf8'));
      const arphrd = Number(readFileSync(`/sys/class/net/${name}/type`, 'utf8'));
      out.push({ ifindex, name, linkType: ARPHRD_LINKTYPE[arphrd] ?? LinkType.RAW });
    } catch {
      // vanished
    }
  }
  return out.sort((a, b) => a.ifindex - b.ifindex);
}
