/** The project's own inputs: every recording of fixtures/recordings and capture of fixtures/pcap. */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

export function fixtureInputs(): string[] {
  return [
    ...readdirSync('fixtures/recordings')
      .filter((f) => f.endsWith('.nev'))
      .map((f) => join('fixtures/recordings', f)),
    ...readdirSync('fixtures/pcap')
      .filter((f) => /\.pcap(ng)?$/.test(f))
      .map((f) => join('fixtures/pcap', f)),
  ];
}
