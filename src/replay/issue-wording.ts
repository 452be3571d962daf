/** Wording shared by the capture readers, so that every reader locates problems the same way. */

/** `where` of an issue about a packet record. */
export function packetLocation(offset: number, packetNumber: number): string {
  return `offset ${offset} (packet ${packetNumber})`;
}

/** `where` of an issue about something other than a packet. */
export function offsetLocation(offset: number): string {
  return `offset ${offset}`;
}

/** One line for an I/O error: "EIO: i/o error, read" rather than a stack. */
export function readErrorMessage(error: unknown): string {
  return `read error: ${error instanceof Error ? error.message : String(error)}`;
}

/** `where` of an issue about a block that is not a packet ("offset 48 (interface description block)"). */
export function blockLocation(offset: number, blockName: string): string {
  return `offset ${offset} (${blockName})`;
}
