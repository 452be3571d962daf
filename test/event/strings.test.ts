/** Expected strings are copied from the reference's gopacket v1.1.19 tables (§1.9). */
import { describe, expect, it } from 'vitest';
import { icmpv4TypeCode, icmpv6TypeCode, ipProtocolName } from '../../src/event/strings.ts';
import { IP_PROTOCOLS } from '../oracle/gopacket-names.ts';

describe('ipProtocolName (IPProtocol.String)', () => {
  // The reference's table, as copied once for the tests (not from src/).
  const TABLE: [number, string][] = [...IP_PROTOCOLS];

  it.each(TABLE)('%i is %s', (value, name) => {
    expect(ipProtocolName(value)).toBe(name);
  });

  it('every other value is UnknownIPProtocol', () => {
    const named = new Set(TABLE.map(([value]) => value));
    for (let value = 0; value < 256; value++) {
      if (!named.has(value)) expect(ipProtocolName(value), String(value)).toBe('UnknownIPProtocol');
    }
  });
});

describe('icmpv4TypeCode (ICMPv4TypeCode.String)', () => {
  it('a type without a code table prints its name alone for code 0', () => {
    const names: [number, string][] = [
      [0, 'EchoReply'],
      [4, 'SourceQuench'],
      [8, 'EchoRequest'],
      [9, 'RouterAdvertisement'],
      [10, 'RouterSolicitation'],
      [13, 'TimestampRequest'],
      [14, 'TimestampReply'],
      [15, 'InfoRequest'],
      [16, 'InfoReply'],
      [17, 'AddressMaskRequest'],
      [18, 'AddressMaskReply'],
    ];
    for (const [type, name] of names) expect(icmpv4TypeCode(type, 0)).toBe(name);
  });

  it('a type without a code table prints a non-zero code as "(Code: n)"', () => {
    expect(icmpv4TypeCode(8, 5)).toBe('EchoRequest(Code: 5)');
    expect(icmpv4TypeCode(0, 255)).toBe('EchoReply(Code: 255)');
    expect(icmpv4TypeCode(18, 1)).toBe('AddressMaskReply(Code: 1)');
  });

  it('DestinationUnreachable codes', () => {
    const codes = [
      'Net',
      'Host',
      'Protocol',
      'Port',
      'FragmentationNeeded',
      'SourceRoutingFailed',
      'NetUnknown',
      'HostUnknown',
      'SourceIsolated',
      'NetAdminProhibited',
      'HostAdminProhibited',
      'NetTOS',
      'HostTOS',
      'CommAdminProhibited',
      'HostPrecedence',
      'PrecedenceCutoff',
    ];
    codes.forEach((code, i) => expect(icmpv4TypeCode(3, i)).toBe(`DestinationUnreachable(${code})`));
    expect(icmpv4TypeCode(3, 3)).toBe('DestinationUnreachable(Port)');
    expect(icmpv4TypeCode(3, 16)).toBe('DestinationUnreachable(Code: 16)');
  });

  it('TimeExceeded, ParameterProblem and Redirect codes', () => {
    expect(icmpv4TypeCode(11, 0)).toBe('TimeExceeded(TTLExceeded)');
    expect(icmpv4TypeCode(11, 1)).toBe('TimeExceeded(FragmentReassemblyTimeExceeded)');
    expect(icmpv4TypeCode(11, 2)).toBe('TimeExceeded(Code: 2)');
    expect(icmpv4TypeCode(12, 0)).toBe('ParameterProblem(PointerIndicatesError)');
    expect(icmpv4TypeCode(12, 1)).toBe('ParameterProblem(MissingOption)');
    expect(icmpv4TypeCode(12, 2)).toBe('ParameterProblem(BadLength)');
    expect(icmpv4TypeCode(12, 3)).toBe('ParameterProblem(Code: 3)');
    expect(icmpv4TypeCode(5, 0)).toBe('Redirect(Net)');
    expect(icmpv4TypeCode(5, 1)).toBe('Redirect(Host)');
    expect(icmpv4TypeCode(5, 2)).toBe('Redirect(TOS+Net)');
    expect(icmpv4TypeCode(5, 3)).toBe('Redirect(TOS+Host)');
    expect(icmpv4TypeCode(5, 4)).toBe('Redirect(Code: 4)');
  });

  it('an unknown type prints both numbers', () => {
    expect(icmpv4TypeCode(42, 0)).toBe('42(0)');
    expect(icmpv4TypeCode(42, 7)).toBe('42(7)');
    expect(icmpv4TypeCode(1, 0)).toBe('1(0)');
    expect(icmpv4TypeCode(255, 255)).toBe('255(255)');
    // ICMPv6 type numbers mean nothing to ICMPv4.
    expect(icmpv4TypeCode(128, 0)).toBe('128(0)');
  });
});

describe('icmpv6TypeCode (ICMPv6TypeCode.String)', () => {
  it('types without a code table', () => {
    const names: [number, string][] = [
      [2, 'PacketTooBig'],
      [128, 'EchoRequest'],
      [129, 'EchoReply'],
      [133, 'RouterSolicitation'],
      [134, 'RouterAdvertisement'],
      [135, 'NeighborSolicitation'],
      [136, 'NeighborAdvertisement'],
      [137, 'Redirect'],
    ];
    for (const [type, name] of names) {
      expect(icmpv6TypeCode(type, 0)).toBe(name);
      expect(icmpv6TypeCode(type, 9)).toBe(`${name}(Code: 9)`);
    }
  });

  it('DestinationUnreachable, TimeExceeded and ParameterProblem codes', () => {
    const unreachable = [
      'NoRouteToDst',
      'AdminProhibited',
      'BeyondScopeOfSrc',
      'AddressUnreachable',
      'PortUnreachable',
      'SrcAddressFailedPolicy',
      'RejectRouteToDst',
    ];
    unreachable.forEach((code, i) => expect(icmpv6TypeCode(1, i)).toBe(`DestinationUnreachable(${code})`));
    expect(icmpv6TypeCode(1, 7)).toBe('DestinationUnreachable(Code: 7)');
    expect(icmpv6TypeCode(3, 0)).toBe('TimeExceeded(HopLimitExceeded)');
    expect(icmpv6TypeCode(3, 1)).toBe('TimeExceeded(FragmentReassemblyTimeExceeded)');
    expect(icmpv6TypeCode(3, 2)).toBe('TimeExceeded(Code: 2)');
    expect(icmpv6TypeCode(4, 0)).toBe('ParameterProblem(ErroneousHeaderField)');
    expect(icmpv6TypeCode(4, 1)).toBe('ParameterProblem(UnrecognizedNextHeader)');
    expect(icmpv6TypeCode(4, 2)).toBe('ParameterProblem(UnrecognizedIPv6Option)');
    expect(icmpv6TypeCode(4, 3)).toBe('ParameterProblem(Code: 3)');
  });

  it('the MLD types are missing from the table and print as numbers', () => {
    expect(icmpv6TypeCode(130, 0)).toBe('130(0)');
    expect(icmpv6TypeCode(131, 0)).toBe('131(0)');
    expect(icmpv6TypeCode(132, 0)).toBe('132(0)');
    expect(icmpv6TypeCode(143, 0)).toBe('143(0)');
  });

  it('other unknown types print both numbers', () => {
    expect(icmpv6TypeCode(0, 0)).toBe('0(0)');
    expect(icmpv6TypeCode(8, 0)).toBe('8(0)');
    expect(icmpv6TypeCode(200, 3)).toBe('200(3)');
  });
});
