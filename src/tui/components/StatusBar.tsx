/** The top line: the capture, its size while indexing goes on, the view and the row. */
import { Text } from 'ink';

export interface StatusBarProps {
  left: string;
  right: string;
  width: number;
}

export function StatusBar({ left, right, width }: StatusBarProps) {
  const room = Math.max(0, width - right.length - 1);
  const shown = left.length > room ? left.slice(0, Math.max(0, room - 1)) + '…' : left.padEnd(room);
  return (
    <Text inverse wrap="truncate">
      {`${shown} ${right}`.padEnd(width)}
    </Text>
  );
}
