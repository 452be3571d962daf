/**
 * Ctrl-C (SIGINT) and SIGTERM during long work: the first asks the work to stop at the next batch
 * boundary, so that what was written is complete (whole JSON lines, a sealed recording); a
 * second one exits at once.
 */
export interface Interrupt {
  readonly signal: AbortSignal;
  /** Removes the handlers; returns true when the work was interrupted. */
  release(): boolean;
}

export function onInterrupt(): Interrupt {
  const controller = new AbortController();
  const handler = (): void => {
    if (controller.signal.aborted) process.exit(130);
    controller.abort();
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    signal: controller.signal,
    release() {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
      return controller.signal.aborted;
    },
  };
}
