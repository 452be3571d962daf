// Preloaded into a netrec child (node --import) by run-netrec.ts: at exit, writes the process's
// peak resident set size (VmHWM, KiB) to the file named by NETREC_TEST_PEAK_RSS_FILE.
import { readFileSync, writeFileSync } from 'node:fs';

const file = process.env.NETREC_TEST_PEAK_RSS_FILE;
if (file) {
  process.on('exit', () => {
    const m = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    writeFileSync(file, m ? m[1] : '');
  });
}
