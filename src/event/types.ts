/**
 * Tracee v0.10 network event types, derived from the declarations in src/event/schema.ts (the
 * one place a field is listed). Key order in the schema is the JSON key order; every field is
 * always present.
 */
import {
  type DNS_ANSWER,
  type DNS_MX,
  type DNS_OPT,
  type DNS_QUERY_DATA,
  type DNS_QUESTION,
  type DNS_RESOURCE_RECORD,
  type DNS_RESPONSE_DATA,
  type DNS_SOA,
  type DNS_SRV,
  type DNS_URI,
  EVENT_NAMES,
  EVENTS,
  type PKT_META,
  type PROTO_DNS,
  type PROTO_ICMP,
  type PROTO_ICMPV6,
  type PROTO_IPV4,
  type PROTO_IPV6,
  type PROTO_TCP,
  type PROTO_UDP,
  type EventContext,
  type EventName,
  type ValueOf,
} from './schema.ts';

export type ProtoIPv4 = ValueOf<typeof PROTO_IPV4>;
export type ProtoIPv6 = ValueOf<typeof PROTO_IPV6>;
export type ProtoTCP = ValueOf<typeof PROTO_TCP>;
export type ProtoUDP = ValueOf<typeof PROTO_UDP>;
export type ProtoICMP = ValueOf<typeof PROTO_ICMP>;
export type ProtoICMPv6 = ValueOf<typeof PROTO_ICMPV6>;
export type ProtoDNSQuestion = ValueOf<typeof DNS_QUESTION>;
export type ProtoDNSSOA = ValueOf<typeof DNS_SOA>;
export type ProtoDNSSRV = ValueOf<typeof DNS_SRV>;
export type ProtoDNSMX = ValueOf<typeof DNS_MX>;
export type ProtoDNSURI = ValueOf<typeof DNS_URI>;
export type ProtoDNSOPT = ValueOf<typeof DNS_OPT>;
export type ProtoDNSResourceRecord = ValueOf<typeof DNS_RESOURCE_RECORD>;
export type ProtoDNS = ValueOf<typeof PROTO_DNS>;
export type PktMeta = ValueOf<typeof PKT_META>;
export type DnsQueryData = ValueOf<typeof DNS_QUERY_DATA>;
export type DnsAnswer = ValueOf<typeof DNS_ANSWER>;
export type DnsResponseData = ValueOf<typeof DNS_RESPONSE_DATA>;

/** One `{name, type, value}` argument, in Tracee's key order. */
export interface EventArg<V = unknown> {
  name: string;
  type: string;
  value: V;
}

/** Tracee's event IDs, by name. */
export const EventIds = Object.fromEntries(EVENT_NAMES.map((n) => [n, EVENTS[n].id])) as {
  readonly [N in EventName]: (typeof EVENTS)[N]['id'];
};

export { EVENT_NAMES, type EventName };

/**
 * A Tracee v0.10 event. Key order is the JSON key order. bigint fields are printed as exact
 * JSON integers by the JSON sink.
 */
export type TraceeEvent = { timestamp: bigint } & EventContext & {
    /**
     * netrec, not Tracee: the process's (thread-group leader's) name when it differs from the
     * thread's processName. Shown by the table output; never part of the JSON.
     */
    leaderName?: string | undefined;
    eventId: string;
    eventName: EventName;
    argsNum: number;
    returnValue: number;
    stackAddresses: number[];
    contextFlags: { containerStarted: boolean };
    args: EventArg[];
  };

/** One argument with its name and Tracee type string fixed: what the builder puts there. */
export interface TypedArg<N extends string, T extends string, V> extends EventArg<V> {
  name: N;
  type: T;
  value: V;
}

type ArgOf<A> = A extends { name: infer N extends string; type: infer T extends string; value: infer V } ? TypedArg<N, T, ValueOf<V>> : never;

type ArgsOf<L> = { -readonly [I in keyof L]: ArgOf<L[I]> };

/** The arguments of each event, in order, as src/event/build.ts makes them. */
export type EventArgsByName = { [N in EventName]: ArgsOf<(typeof EVENTS)[N]['args']> };

/** A TraceeEvent whose name fixes its arguments' names, types and values. */
export type TypedEvent<N extends EventName> = Omit<TraceeEvent, 'eventName' | 'args'> & { eventName: N; args: EventArgsByName[N] };

/**
 * Every network event as a union discriminated by eventName: `if (e.eventName ===
 * 'net_packet_dns') e.args[4].value.answers` type-checks. The builder's events have these shapes.
 */
export type NetworkEvent = { [N in EventName]: TypedEvent<N> }[EventName];
