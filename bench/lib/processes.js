// Child processes of the harness: spawn, wait for readiness, read peak RSS, and kill every one on any exit path.
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';

const children = new Set();
const cleanups = [];
let cleaning;

/** Registers an async clean-up step (drop a database, remove a directory); steps run last-in first-out. */
export function onCleanup(fn) {
  cleanups.push(fn);
}

function killGroup(child, signal) {
  try {
    // Each child leads its own process group, so grandchildren it may start die with it.
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      // already gone
    }
  }
}

/** Stops one child: SIGTERM (SIGINT when it must write a CPU profile), then SIGKILL after `graceMs`. */
export async function stopChild(child, { signal = 'SIGTERM', graceMs = 3000 } = {}) {
  if (child.exitCode !== null || child.signalCode !== null) {
    children.delete(child);
    return;
  }
  const exited = new Promise((resolve) => child.once('exit', resolve));
  killGroup(child, signal);
  const timer = setTimeout(() => killGroup(child, 'SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
  children.delete(child);
}

/** Stops every child still running and runs the clean-up steps; safe to call more than once. */
export function cleanupAll() {
  cleaning ??= (async () => {
    await Promise.all([...children].map((child) => stopChild(child)));
    for (const fn of cleanups.reverse()) {
      try {
        await fn();
      } catch (err) {
        process.stderr.write(`bench: clean-up step failed: ${err.message}\n`);
      }
    }
  })();
  return cleaning;
}

/** Makes the harness stop by itself: a watchdog, signals, crashes; the last resort kills synchronously. */
export function installCleanup(timeoutSeconds) {
  const fail = async (why, code) => {
    process.stderr.write(`bench: ${why}; stopping every process it started\n`);
    await cleanupAll();
    process.exit(code);
  };
  setTimeout(() => fail(`time limit of ${timeoutSeconds}s reached`, 2), timeoutSeconds * 1000).unref();
  process.once('SIGINT', () => fail('interrupted', 130));
  process.once('SIGTERM', () => fail('terminated', 143));
  process.on('uncaughtException', (err) => fail(`crashed: ${err.stack ?? err}`, 1));
  process.on('unhandledRejection', (err) => fail(`crashed: ${err?.stack ?? err}`, 1));
  process.on('exit', () => {
    for (const child of children) killGroup(child, 'SIGKILL');
  });
}

/**
 * Spawns a tracked child. With `logFile`, stdout and stderr go to that file (a server's logs must never fill
 * a pipe); otherwise stdout is readable line by line (`firstJsonLine`) and stderr is kept for error reports.
 */
export function spawnChild(command, args, { env = process.env, cwd, logFile, nodeArgs = [], uid, gid } = {}) {
  const fd = logFile ? openSync(logFile, 'a') : undefined;
  const child = spawn(command, [...nodeArgs, ...args], {
    cwd,
    env,
    detached: true,
    // As another user (the HA harness runs PostgreSQL, which refuses root, as a system user).
    ...(uid !== undefined && { uid, gid }),
    stdio: fd === undefined ? ['ignore', 'pipe', 'pipe'] : ['ignore', fd, fd],
  });
  if (fd !== undefined) closeSync(fd);
  children.add(child);
  child.once('exit', () => children.delete(child));
  child.stderrText = '';
  child.stderr?.on('data', (chunk) => {
    child.stderrText = (child.stderrText + chunk).slice(-4000);
  });
  return child;
}

/** Resolves with the first stdout line that parses as JSON (how the harness's own children report). */
export function firstJsonLine(child, timeoutMs = 30_000) {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    const timer = setTimeout(() => reject(new Error(`no output within ${timeoutMs} ms`)), timeoutMs);
    const onExit = (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before reporting: ${child.stderrText.trim()}`));
    };
    child.once('exit', onExit);
    lines.on('line', (line) => {
      try {
        const value = JSON.parse(line);
        clearTimeout(timer);
        child.off('exit', onExit);
        resolve(value);
      } catch {
        // not the report line
      }
    });
  });
}

/** Polls `url` until it answers 2xx; fails early when `child` exits, or after `timeoutMs`. */
export async function waitForHttp(url, child, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`the process exited (${child.exitCode ?? child.signalCode}) before ${url} answered`);
    }
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      await res.arrayBuffer();
      if (res.ok) return;
      last = `HTTP ${res.status}`;
    } catch (err) {
      last = err.cause?.code ?? err.message;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${url} did not answer 2xx within ${timeoutMs} ms (last: ${last})`);
}

/** Peak resident set size (`VmHWM`) of a process, KiB; undefined when /proc is unavailable. */
export function peakRssKiB(pid) {
  try {
    const match = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** Resets the peak-RSS mark (Linux `clear_refs` 5) so each measurement reports its own peak. */
export function resetPeakRss(pid) {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

let ticksPerSecond;

/**
 * CPU time (user + system) used so far, ms, by a whole process, or with `thread` by one of its threads
 * (the main thread's id is the pid); undefined when /proc is unavailable.
 */
export function cpuTimeMs(pid, thread) {
  try {
    ticksPerSecond ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    ticksPerSecond = 100;
  }
  try {
    // Fields after the parenthesised command name; utime and stime are the 14th and 15th of the line.
    const stat = readFileSync(thread ? `/proc/${pid}/task/${thread}/stat` : `/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond;
  } catch {
    return undefined;
  }
}
