import { describe, expect, it } from 'vitest';
import { decodeIPv4 } from '../../src/decode/ipv4.ts';
import { DecodeError } from '../../src/decode/types.ts';
import type { IPv4Header } from '../../src/decode/types.ts';
import { hex } from '../helpers/bytes.ts';

function zeros(n: number): string {
  return '00 '.repeat(n);
}

function decoded(data: Uint8Array, offset = 0): IPv4Header {
  const result = decodeIPv4(data, offset);
  if (result instanceof DecodeError) throw new Error(`unexpected DecodeError: ${result.message}`);
  return result;
}

function expectError(result: unknown, short: boolean): DecodeError {
  expect(result).toBeInstanceOf(DecodeError);
  const error = result as DecodeError;
  expect(error.layer).toBe('ipv4');
  expect(error.kind).toBe(short ? 'short' : 'malformed');
  return error;
}

// 172.16.10.99 → 172.16.10.12, TCP, DF, TTL 64, id 0x1c46, Total Length 60.
const HEADER = '45 00 00 3c 1c 46 40 00 40 06 b1 e6 ac 10 0a 63 ac 10 0a 0c';

describe('decodeIPv4', () => {
  it('reads every field of a plain header', () => {
    const h = decoded(hex(`${HEADER} ${zeros(40)}`));
    expect({ ...h, src: [...h.src], dst: [...h.dst] }).toEqual({
      version: 4,
      ihl: 5,
      tos: 0,
      length: 60,
      id: 0x1c46,
      flags: 2,
      fragOffset: 0,
      ttl: 64,
      protocol: 6,
      checksum: 0xb1e6,
      src: [172, 16, 10, 99],
      dst: [172, 16, 10, 12],
      payloadOffset: 20,
      payloadEnd: 60,
    });
  });

  it('reads at an offset, relative offsets stay relative to the IP header', () => {
    const frame = hex(`${'ff '.repeat(14)} ${HEADER} ${zeros(40)}`);
    const h = decoded(frame, 14);
    expect([...h.src]).toEqual([172, 16, 10, 99]);
    expect([...h.dst]).toEqual([172, 16, 10, 12]);
    expect(h.payloadOffset).toBe(20);
    expect(h.payloadEnd).toBe(60);
  });

  it('addresses are views on the packet bytes, not copies', () => {
    const data = hex(`${HEADER} ${zeros(40)}`);
    const h = decoded(data);
    expect(h.src.buffer).toBe(data.buffer);
    expect(h.src.byteOffset).toBe(12);
    expect(h.dst.byteOffset).toBe(16);
  });

  it('reads TOS, flags and fragment offset bits', () => {
    // TOS 0xb8; bytes 6-7 0xffff: evil+DF+MF, offset 8191.
    const h = decoded(hex(`45 b8 00 14 00 01 ff ff 01 11 00 00 0a 00 00 01 0a 00 00 02`));
    expect(h.tos).toBe(0xb8);
    expect(h.flags).toBe(7);
    expect(h.fragOffset).toBe(0x1fff);
    expect(h.ttl).toBe(1);
    expect(h.protocol).toBe(17);
  });

  it('first fragment: MF set, offset 0', () => {
    const h = decoded(hex(`45 00 00 1c 12 34 20 00 40 11 00 00 0a 00 00 01 0a 00 00 02 ${zeros(8)}`));
    expect(h.flags).toBe(1);
    expect(h.fragOffset).toBe(0);
  });

  it('later fragment: offset counted in 8-byte units as on the wire', () => {
    // 0x00b9 = offset 185 (byte 1480), no flags.
    const h = decoded(hex(`45 00 00 1c 12 34 00 b9 40 11 00 00 0a 00 00 01 0a 00 00 02 ${zeros(8)}`));
    expect(h.flags).toBe(0);
    expect(h.fragOffset).toBe(185);
  });

  it('steps over options by IHL', () => {
    // IHL 6: Router Alert option (94 04 00 00).
    const h = decoded(hex(`46 00 00 20 00 00 00 00 01 02 00 00 0a 00 00 01 e0 00 00 16 94 04 00 00 ${zeros(8)}`));
    expect(h.ihl).toBe(6);
    expect(h.payloadOffset).toBe(24);
    expect(h.payloadEnd).toBe(32);
    expect(h.protocol).toBe(2);
  });

  it('steps over a full 40 bytes of options (IHL 15)', () => {
    const h = decoded(hex(`4f 00 00 44 00 00 00 00 40 06 00 00 0a 00 00 01 0a 00 00 02 ${'01 '.repeat(40)} ${zeros(8)}`));
    expect(h.payloadOffset).toBe(60);
    expect(h.payloadEnd).toBe(68);
  });

  it('keeps the header when the options inside IHL are malformed (gopacket would reject it)', () => {
    // Option type 7 (record route) claiming 255 bytes inside a 4-byte option area.
    const h = decoded(hex(`46 00 00 18 00 00 00 00 40 06 00 00 0a 00 00 01 0a 00 00 02 07 ff 00 00`));
    expect(h.payloadOffset).toBe(24);
    expect(h.payloadEnd).toBe(24);
  });

  it('bounds the payload by Total Length, leaving Ethernet padding out', () => {
    // Total Length 28 in a 46-byte minimum Ethernet payload.
    const h = decoded(hex(`45 00 00 1c 00 00 00 00 40 11 00 00 0a 00 00 01 0a 00 00 02 ${zeros(26)}`));
    expect(h.length).toBe(28);
    expect(h.payloadEnd).toBe(28);
  });

  it('clamps the payload to the captured bytes when a snaplen cut the packet', () => {
    const h = decoded(hex(`${HEADER} ${zeros(20)}`));
    expect(h.length).toBe(60);
    expect(h.payloadEnd).toBe(40);
  });

  it('Total Length 0 (TSO) becomes the captured length', () => {
    const h = decoded(hex(`45 00 00 00 00 00 40 00 40 06 00 00 0a 00 00 01 0a 00 00 02 ${zeros(32)}`));
    expect(h.length).toBe(52);
    expect(h.payloadEnd).toBe(52);
  });

  it('Total Length 0 counts from the IP header, not the frame start', () => {
    const h = decoded(hex(`${zeros(14)} 45 00 00 00 00 00 40 00 40 06 00 00 0a 00 00 01 0a 00 00 02 ${zeros(20)}`), 14);
    expect(h.length).toBe(40);
    expect(h.payloadEnd).toBe(40);
  });

  it('does not check the version nibble (the link layer chose IPv4)', () => {
    expect(decoded(hex(`65 00 00 14 ${zeros(16)}`)).version).toBe(6);
  });

  it('is short under 20 bytes', () => {
    expectError(decodeIPv4(hex(HEADER).subarray(0, 19), 0), true);
    expectError(decodeIPv4(new Uint8Array(0), 0), true);
    expectError(decodeIPv4(hex(HEADER), 1), true);
  });

  it('is short, not failing, when the offset is past the end', () => {
    const error = expectError(decodeIPv4(hex(HEADER), 40), true);
    expect(error.message).toContain('0 captured');
  });

  it('rejects IHL below 5', () => {
    const error = expectError(decodeIPv4(hex(`44 00 00 3c ${zeros(56)}`), 0), false);
    expect(error.message).toContain('4');
  });

  it('rejects a Total Length below 20', () => {
    expectError(decodeIPv4(hex(`45 00 00 13 ${zeros(36)}`), 0), false);
  });

  it('rejects a header longer than Total Length', () => {
    // IHL 6 = 24 bytes, Total Length 22.
    expectError(decodeIPv4(hex(`46 00 00 16 ${zeros(36)}`), 0), false);
  });

  it('reports the Total Length check first, as gopacket does', () => {
    // Both IHL 3 and Total Length 10 are wrong.
    const error = expectError(decodeIPv4(hex(`43 00 00 0a ${zeros(16)}`), 0), false);
    expect(error.message).toContain('total length 10');
  });

  it('is short when the capture ends inside the options', () => {
    // IHL 8 = 32 bytes, Total Length 100, 28 bytes captured.
    expectError(decodeIPv4(hex(`48 00 00 64 ${zeros(24)}`), 0), true);
  });

  it('under TSO, a header longer than the capture is malformed (Total Length is the capture)', () => {
    // IHL 8 = 32 bytes, Total Length 0 → 28.
    expectError(decodeIPv4(hex(`48 00 00 00 ${zeros(24)}`), 0), false);
  });
});
