/**
 * Tracee's signatures/helpers (GetTraceeArgumentByName, GetProto*ByName), typed. Tracee's accept
 * either its typed values or JSON maps with every key present; here events always come from the
 * builder, so the check is the argument's Tracee type string, which fixes the value's shape.
 * Asking for an argument the event does not have is a mistake in the signature: it throws.
 */
import type { EventArg, NetworkEvent } from '../event/types.ts';
import type { SignatureHelpers } from './api.ts';

/** A signature asked an event for an argument it does not hold (or holds with another type). */
export class SignatureArgumentError extends Error {
  override readonly name = 'SignatureArgumentError';
}

function argument(event: NetworkEvent, name: string): EventArg {
  const args = event.args as readonly EventArg[];
  for (const a of args) if (a.name === name) return a;
  throw new SignatureArgumentError(`${event.eventName} has no argument '${name}' (it has: ${args.map((a) => a.name).join(', ')})`);
}

function typed<V>(type: string) {
  return (event: NetworkEvent, name: string): V => {
    const a = argument(event, name);
    if (a.type !== type) throw new SignatureArgumentError(`${event.eventName} argument '${name}' is ${a.type}, not ${type}`);
    return a.value as V;
  };
}

export const helpers: SignatureHelpers = {
  getArgumentByName: argument,
  getStringArgumentByName: typed('const char*'),
  getProtoIPv4ByName: typed('trace.ProtoIPv4'),
  getProtoIPv6ByName: typed('trace.ProtoIPv6'),
  getProtoTCPByName: typed('trace.ProtoTCP'),
  getProtoUDPByName: typed('trace.ProtoUDP'),
  getProtoICMPByName: typed('trace.ProtoICMP'),
  getProtoICMPv6ByName: typed('trace.ProtoICMPv6'),
  getProtoDNSByName: typed('trace.ProtoDNS'),
  getPktMetaByName: typed('trace.PktMeta'),
  getDnsQueryDataByName: typed('[]trace.DnsQueryData'),
  getDnsResponseDataByName: typed('[]trace.DnsResponseData'),
};
