/**
 * The builtin signatures (`--signatures builtin`), documented in docs/signatures.md. Each call
 * makes fresh objects; init() resets their state as well.
 */
import type { Signature } from '../api.ts';
import { dnsNxdomain } from './dns-nxdomain.ts';
import { dnsResolver } from './dns-resolver.ts';
import { dnsTunnel } from './dns-tunnel.ts';
import { e2eDns } from './e2e-dns.ts';
import { icmpTunnel } from './icmp-tunnel.ts';
import { synScan } from './syn-scan.ts';
import { unresolvedConnect } from './unresolved-connect.ts';

export function builtinSignatures(): Signature[] {
  return [e2eDns(), dnsTunnel(), dnsNxdomain(), dnsResolver(), unresolvedConnect(), icmpTunnel(), synScan()];
}
