// A dependency loaded at its first use (domain/on-demand.ts): callers share one load, a loaded module is
// kept, and a load that failed is tried again by the next caller instead of failing until a restart.
import { describe, expect, it } from 'vitest';
import { ModuleUnavailableError, onDemand } from '../src/domain/on-demand.js';

describe('onDemand', () => {
  it('loads once for callers that ask at the same time, and keeps what it loaded', async () => {
    let loads = 0;
    const load = onDemand('a part', async () => {
      loads += 1;
      await new Promise((resolve) => setTimeout(resolve, 5));
      return { loaded: loads };
    });
    const [a, b] = await Promise.all([load(), load()]);
    expect(a).toBe(b);
    expect(await load()).toBe(a);
    expect(loads).toBe(1);
  });

  it('does not keep a failed load: the next caller tries again, and the failure says what and why', async () => {
    let attempts = 0;
    const load = onDemand('the SMTP client', async () => {
      attempts += 1;
      if (attempts === 1) throw Object.assign(new Error('EMFILE: too many open files'), { code: 'EMFILE' });
      return 'module';
    });
    const failed = await load().catch((err: unknown) => err);
    expect(failed).toBeInstanceOf(ModuleUnavailableError);
    expect((failed as ModuleUnavailableError).message).toBe('the SMTP client could not be loaded');
    expect((failed as ModuleUnavailableError).cause).toMatchObject({ code: 'EMFILE' });
    expect((failed as ModuleUnavailableError).retryAfterSeconds).toBeGreaterThan(0);
    expect(await load()).toBe('module');
    expect(await load()).toBe('module');
    expect(attempts).toBe(2);
  });
});
