/** The top line: the capture, its size while indexing goes on, the view and the row. */
import { terminalText } from '../../core/terminal-text.ts';
import { Text } from './SafeText.tsx';

export interface StatusBarProps {
  left: string;
  right: string;
  width: number;
}

export function StatusBar({ left: raw, right, width }: StatusBarProps) {
  // Escaped before it is measured: the file name is the user's, but may hold anything.
  const left = terminalText(raw);
  const room = Math.max(0, width - right.length - 1);
  const shown = left.length > room ? `${left.slice(0, Math.max(0, room - 1))}…` : left.padEnd(room);
  return (
    <Text inverse wrap="truncate">
      {`${shown} ${right}`.padEnd(width)}
    </Text>
  );
}
