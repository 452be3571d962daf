/**
 * Child process for the stdin tests (and for opening a file as another user): reads argv[2] or
 * '-' through openCapture and prints one JSON line per item (bigints as strings), or the
 * InputError message with exit status 1.
 */
import { InputError } from '../../src/core/errors.ts';
import { openCapture } from '../../src/replay/open.ts';
import { isIssue } from '../../src/core/source.ts';

try {
  const source = await openCapture(process.argv[2] ?? '-');
  for await (const batch of source.batches()) {
    for (const item of batch) {
      const line = isIssue(item)
        ? item
        : { number: item.number, offset: item.offset, timestamp: String(item.timestamp), length: item.data.length, linkType: item.linkType };
      process.stdout.write(`${JSON.stringify(line)}\n`);
    }
  }
} catch (error) {
  if (!(error instanceof InputError)) throw error;
  process.stdout.write(`InputError: ${error.message}\n`);
  process.exitCode = 1;
}
