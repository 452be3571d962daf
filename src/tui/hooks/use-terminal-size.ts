/**
 * The terminal's size, following resizes. Tests pass a fixed size: ink-testing-library's stdout
 * has a width but no height.
 */
import { useStdout } from 'ink';
import { useEffect, useState } from 'react';

export interface TerminalSize {
  columns: number;
  rows: number;
}

/** What a terminal that does not say is assumed to be. */
const FALLBACK: TerminalSize = { columns: 80, rows: 24 };

export function useTerminalSize(fixed?: TerminalSize): TerminalSize {
  const { stdout } = useStdout();
  const read = (): TerminalSize => fixed ?? { columns: stdout.columns || FALLBACK.columns, rows: stdout.rows || FALLBACK.rows };
  const [size, setSize] = useState(read);
  // biome-ignore lint/correctness/useExhaustiveDependencies: `read` closes over stdout and `fixed` only, which are the dependencies.
  useEffect(() => {
    if (fixed !== undefined) return;
    const resized = (): void => setSize(read());
    stdout.on('resize', resized);
    return () => {
      stdout.off('resize', resized);
    };
  }, [stdout, fixed]);
  return fixed ?? size;
}
