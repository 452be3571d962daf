/** The event list: a header and exactly `height` rows, only the visible ones built. */
import { Box } from 'ink';
import { Text } from './SafeText.tsx';

export interface ListRow {
  /** Already cut to the terminal's width (views/columns.ts). */
  text: string;
  selected: boolean;
  /** Read from the index only, its packet not decoded yet. */
  pending: boolean;
}

export interface EventListProps {
  header: string;
  rows: readonly ListRow[];
  height: number;
  focused: boolean;
  /** Shown when there is no row (an empty filter result, a pass still looking). */
  empty: string;
}

export function EventList({ header, rows, height, focused, empty }: EventListProps) {
  const lines = rows.slice(0, height);
  return (
    <Box flexDirection="column" height={height + 1}>
      <Text bold underline wrap="truncate">
        {header}
      </Text>
      {lines.length === 0 ? (
        <Text dimColor wrap="truncate">
          {empty}
        </Text>
      ) : (
        lines.map((row, i) => (
          <Text key={i} inverse={row.selected && focused} bold={row.selected && !focused} dimColor={row.pending} wrap="truncate">
            {row.text}
          </Text>
        ))
      )}
    </Box>
  );
}
