/** The event list: a header and exactly `height` rows, only the visible ones built. */
import { Box } from 'ink';
import { toneColor, type RowTone } from '../views/row-tone.ts';
import { Text } from './SafeText.tsx';

export interface ListRow {
  /** Already cut to the terminal's width (views/columns.ts). */
  text: string;
  selected: boolean;
  /** Read from the index only, its packet not decoded yet. */
  pending: boolean;
  tone: RowTone;
  /** [start, end) of the search term in `text`, highlighted. */
  match?: [number, number];
}

export interface EventListProps {
  header: string;
  rows: readonly ListRow[];
  height: number;
  focused: boolean;
  /** Shown when there is no row (an empty filter result, a pass still looking). */
  empty: string;
  /** Rows coloured by tone (off with NO_COLOR or --no-color). */
  color: boolean;
}

export function EventList({ header, rows, height, focused, empty, color }: EventListProps) {
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
        lines.map((row, i) => {
          const tone = color && !row.pending ? toneColor(row.tone) : undefined;
          const style = { inverse: row.selected && focused, bold: row.selected && !focused, dimColor: row.pending, ...(tone ? { color: tone } : {}) };
          if (row.match === undefined) {
            return (
              <Text key={i} {...style} wrap="truncate">
                {row.text}
              </Text>
            );
          }
          const [start, end] = row.match;
          return (
            <Text key={i} {...style} wrap="truncate">
              {row.text.slice(0, start)}
              <Text underline bold {...(color ? { backgroundColor: 'yellow', color: 'black' } : {})}>
                {row.text.slice(start, end)}
              </Text>
              {row.text.slice(end)}
            </Text>
          );
        })
      )}
    </Box>
  );
}
