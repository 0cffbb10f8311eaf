// Waiting in tests: a pause, and a condition polled until it holds or time runs out (then a failure).

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` every `everyMs` until it holds; throws when it still does not after `ms`. */
export async function until(check: () => boolean | Promise<boolean>, ms = 5000, everyMs = 10): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await sleep(everyMs);
  }
}
