/**
 * Ink's <Text> with its string children passed through terminalText(): every component of the
 * TUI renders text through this one, so no comm, DNS name, file name or message from the input
 * reaches the terminal as a control sequence or a bidi override, whichever view it appears in.
 */
import { Children, type ComponentProps } from 'react';
import { Text as InkText } from 'ink';
import { terminalText } from '../../core/terminal-text.ts';

export function Text({ children, ...props }: ComponentProps<typeof InkText>) {
  return <InkText {...props}>{Children.map(children, (child) => (typeof child === 'string' ? terminalText(child) : child))}</InkText>;
}
