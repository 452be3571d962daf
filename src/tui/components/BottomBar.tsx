/**
 * The last lines: the open prompt with its problem above it, or the latest message, or the
 * keys that matter most.
 */
import { Box } from 'ink';
import { Text } from './SafeText.tsx';
import type { Message } from '../state/ui-state.ts';

export interface BottomBarProps {
  /** "filter> text" with the cursor drawn, when a prompt is open. */
  prompt?: string;
  /** Lines of the prompt's problem (a filter that does not compile), already wrapped. */
  problem: readonly string[];
  message?: Message;
  hints: string;
}

export function BottomBar({ prompt, problem, message, hints }: BottomBarProps) {
  return (
    <Box flexDirection="column">
      {problem.map((line, i) => (
        <Text key={i} color="red" wrap="truncate">
          {line}
        </Text>
      ))}
      {prompt !== undefined ? (
        <Text wrap="truncate">{prompt}</Text>
      ) : message !== undefined ? (
        <Text color={message.tone === 'error' ? 'red' : message.tone === 'warning' ? 'yellow' : undefined} wrap="truncate">
          {message.text}
        </Text>
      ) : (
        <Text dimColor wrap="truncate">
          {hints}
        </Text>
      )}
    </Box>
  );
}
