/** Types for pcap-parser 0.2.1 (CommonJS, untyped): only what netrec uses. */
declare module 'pcap-parser' {
  import type { EventEmitter } from 'node:events';
  import type { Readable } from 'node:stream';

  namespace pcapParser {
    interface PcapRecordHeader {
      timestampSeconds: number;
      /** The record's fraction field, whatever its unit: pcap-parser assumes microseconds. */
      timestampMicroseconds: number;
      capturedLength: number;
      originalLength: number;
    }

    interface PcapRecord {
      header: PcapRecordHeader;
      data: Buffer;
    }

    interface PcapParser extends EventEmitter {
      on(event: 'packetHeader', listener: (header: PcapRecordHeader) => void): this;
      on(event: 'packet', listener: (record: PcapRecord) => void): this;
      on(event: 'end', listener: () => void): this;
      on(event: 'error', listener: (error: Error) => void): this;
    }

    function parse(input: string | Readable): PcapParser;
  }

  export = pcapParser;
}
