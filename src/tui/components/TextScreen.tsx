/**
 * A full-height screen of prepared lines (process tree, stats, help), with an optional
 * selected line and a title.
 */
import { Box } from 'ink';
import { Text } from './SafeText.tsx';

export interface TextScreenProps {
  title: string;
  lines: readonly string[];
  /** Index in `lines` of the selected line, if the screen has a cursor. */
  selected?: number;
  height: number;
  /** A colour per line (the stream's client and server), when colour is on. */
  colors?: readonly (string | undefined)[];
}

export function TextScreen({ title, lines, selected, height, colors }: TextScreenProps) {
  return (
    <Box flexDirection="column" height={height}>
      <Text bold underline wrap="truncate">
        {title}
      </Text>
      {lines.slice(0, Math.max(0, height - 1)).map((line, i) => (
        <Text key={i} inverse={i === selected} {...(colors?.[i] !== undefined ? { color: colors[i] } : {})} wrap="truncate">
          {/* An empty <Text> takes no line: a blank line is a space. */}
          {line === '' ? ' ' : line}
        </Text>
      ))}
    </Box>
  );
}
