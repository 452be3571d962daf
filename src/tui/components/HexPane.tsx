/** The packet's bytes in hex and ASCII, the selected field's bytes drawn inverse in both. */
import { Box } from 'ink';
import { Text } from './SafeText.tsx';
import type { HexLine } from '../views/hex.ts';

export interface HexPaneProps {
  title: string;
  lines: readonly HexLine[];
  height: number;
  focused: boolean;
}

export function HexPane({ title, lines, height, focused }: HexPaneProps) {
  return (
    <Box flexDirection="column" height={height + 1}>
      <Text bold inverse={focused} underline={!focused} wrap="truncate">
        {title}
      </Text>
      {lines.slice(0, height).map((line) => (
        <Text key={line.offset} wrap="truncate">
          {`${line.offset}  `}
          {line.hex.map((s, i) => (
            <Text key={i} inverse={s.highlighted}>
              {s.text}
            </Text>
          ))}{' '}
          {line.ascii.map((s, i) => (
            <Text key={i} inverse={s.highlighted}>
              {s.text}
            </Text>
          ))}
        </Text>
      ))}
    </Box>
  );
}
