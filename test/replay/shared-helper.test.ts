import { resolve } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { requireShared, sharedDir } from '../helpers/shared.ts';

describe('shared test data helper', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
  });

  it('places the shared directory next to the repository', () => {
    expect(sharedDir()).toBe(resolve(import.meta.dirname, '../../../shared'));
  });

  it('skips with a printed reason when data is missing outside CI', () => {
    vi.stubEnv('CI', '');
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    expect(requireShared('no-such-directory')).toBeUndefined();
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('no-such-directory'));
  });

  it('fails when data is missing on CI', () => {
    vi.stubEnv('CI', 'true');
    expect(() => requireShared('no-such-directory')).toThrow(/required on CI/);
  });
});
