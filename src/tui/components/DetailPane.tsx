/** The selected packet's process and events as a tree (views/event-tree.ts), scrolled. */
import { Box } from 'ink';
import { Text } from './SafeText.tsx';

export interface DetailLine {
  text: string;
  selected: boolean;
}

export interface DetailPaneProps {
  title: string;
  lines: readonly DetailLine[];
  height: number;
  focused: boolean;
}

export function DetailPane({ title, lines, height, focused }: DetailPaneProps) {
  return (
    <Box flexDirection="column" height={height + 1}>
      <Text bold inverse={focused} underline={!focused} wrap="truncate">
        {title}
      </Text>
      {lines.slice(0, height).map((line, i) => (
        <Text key={i} inverse={line.selected && focused} bold={line.selected && !focused} wrap="truncate">
          {line.text}
        </Text>
      ))}
    </Box>
  );
}
