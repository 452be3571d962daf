/**
 * The signature API: what a signature file exports and what netrec hands it. This module holds
 * types only, so a user's signature needs `import type` from it and nothing at run time:
 *
 *   import type { Signature, SignatureContext } from 'netrec/signature';
 *   let ctx: SignatureContext;
 *   export const mySig: Signature = {
 *     metadata: { id: 'MY-1', version: '1.0.0', name: 'Example', description: '...', tags: [] },
 *     selectedEvents: ['net_packet_dns'],
 *     init(c) { ctx = c; },
 *     onEvent(event) { if (event.eventName === 'net_packet_dns') ctx.emit({ data: { id: event.args[4].value.ID } }); },
 *   };
 *
 * The life cycle is Tracee's (types/detect/detect.go): GetMetadata → metadata, GetSelectedEvents
 * → selectedEvents, Init(cb) → init(ctx) (ctx.emit is the callback), OnEvent, OnSignal, Close.
 * The helpers Tracee's signatures import (signatures/helpers) come on ctx.helpers, because a user
 * file loaded from anywhere cannot count on resolving netrec's modules. docs/signatures.md.
 */
import type { Direction } from '../core/packet.ts';
import type * as E from '../event/types.ts';

// The event types (NetworkEvent, ProtoDNS, ...) are part of the API.
export type * from '../event/types.ts';

/** Tracee's severities: 0 info, 1 low, 2 medium, 3 high, 4 critical. */
export type Severity = 0 | 1 | 2 | 3 | 4;

/**
 * Tracee's free-form Properties map, with the keys its own signatures use spelled as they spell
 * them (findings are read by tools that expect these keys): Severity, Category (the MITRE ATT&CK
 * tactic, e.g. 'exfiltration'), Technique (e.g. 'Exfiltration Over Alternative Protocol'),
 * external_id (e.g. 'T1048').
 */
export interface SignatureProperties {
  Severity?: Severity;
  Category?: string;
  Technique?: string;
  external_id?: string;
  [key: string]: string | number | boolean | undefined;
}

/** Tracee's SignatureMetadata; the finding JSON prints it with Tracee's key names (ID, Version, ...). */
export interface SignatureMetadata {
  /** Unique among the loaded signatures; printable, no spaces. */
  id: string;
  version: string;
  name: string;
  /** Tracee's EventName: the name a finding of this signature goes by ('' when unset). */
  eventName?: string;
  description: string;
  tags: readonly string[];
  properties?: SignatureProperties;
}

/** Data attached to a finding: JSON values (bigint prints as an exact integer). */
export type FindingValue = string | number | bigint | boolean | null | readonly FindingValue[] | { readonly [key: string]: FindingValue | undefined };
export type FindingData = { readonly [key: string]: FindingValue | undefined };

export interface FindingInput {
  /** The event that caused it; defaults to the event being handled in onEvent. */
  event?: E.NetworkEvent;
  data?: FindingData;
}

/** What netrec tells a signature besides events. */
export type Signal =
  /** An input ended (one file of a replay, or the live capture). State carries over to the next. */
  | { kind: 'end-of-input'; source: string }
  /** A recording's next segment starts with packet `firstPacket`. */
  | { kind: 'segment'; source: string; segment: number; firstPacket: number };

/**
 * The packet an event came from: netrec's addition to Tracee's API, for what events do not carry
 * (the payload, the direction). Valid only during the onEvent call it is passed to.
 */
export interface PacketInfo {
  /** The input ('-' for stdin, 'live' when recording). */
  readonly source: string;
  /** 1-based position in the input (in a recording: across its segments). */
  readonly number: number;
  /** Relative to the recording host; 'unknown' for captures that do not say (pcap). */
  readonly direction: Direction;
  readonly capturedLength: number;
  readonly originalLength: number;
  /** An IP fragment (more fragments follow, or not the first). */
  readonly fragment: boolean;
  /**
   * The bytes after the transport header as captured: TCP and UDP data, the ICMPv4 message after
   * its 8-byte header, the ICMPv6 message after its 4-byte header. Empty when there are none.
   */
  readonly payload: Uint8Array;
}

/**
 * Tracee's signatures/helpers, typed: each returns the argument's value, or throws a
 * SignatureArgumentError naming the event, the argument and what it holds instead. A throw
 * inside onEvent is reported with the event and counted (see SignatureContext).
 */
export interface SignatureHelpers {
  getArgumentByName(event: E.NetworkEvent, name: string): E.EventArg;
  getStringArgumentByName(event: E.NetworkEvent, name: string): string;
  getProtoIPv4ByName(event: E.NetworkEvent, name: string): E.ProtoIPv4;
  getProtoIPv6ByName(event: E.NetworkEvent, name: string): E.ProtoIPv6;
  getProtoTCPByName(event: E.NetworkEvent, name: string): E.ProtoTCP;
  getProtoUDPByName(event: E.NetworkEvent, name: string): E.ProtoUDP;
  getProtoICMPByName(event: E.NetworkEvent, name: string): E.ProtoICMP;
  getProtoICMPv6ByName(event: E.NetworkEvent, name: string): E.ProtoICMPv6;
  getProtoDNSByName(event: E.NetworkEvent, name: string): E.ProtoDNS;
  getPktMetaByName(event: E.NetworkEvent, name: string): E.PktMeta;
  getDnsQueryDataByName(event: E.NetworkEvent, name: string): E.DnsQueryData[];
  getDnsResponseDataByName(event: E.NetworkEvent, name: string): E.DnsResponseData[];
}

export interface SignatureContext {
  /** Tracee's SignatureHandler: reports a finding. The metadata is the signature's own. */
  emit(finding?: FindingInput): void;
  helpers: SignatureHelpers;
  /** This signature's entry of --signatures-config (an object; {} when none). */
  config: Readonly<Record<string, unknown>>;
  /** A one-line note on stderr (the same text is printed once). */
  warn(message: string): void;
}

/**
 * A signature. Only metadata, selectedEvents and onEvent are required. Calls are synchronous
 * and in a fixed order, so the same input gives the same findings on any machine; init must
 * (re)set all state, because netrec may run a signature object more than once.
 */
export interface Signature {
  readonly metadata: SignatureMetadata;
  /** Event names, or '*' for all nine. */
  readonly selectedEvents: readonly (E.EventName | '*')[];
  init?(ctx: SignatureContext): void;
  onEvent(event: E.NetworkEvent, packet: PacketInfo): void;
  onSignal?(signal: Signal): void;
  close?(): void;
}
