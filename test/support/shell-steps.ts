// The ```sh blocks of a Markdown page as steps a test can run one by one in a single bash session,
// each with the output the page shows for it, so the page's commands and outputs cannot drift.
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import crypto from 'node:crypto';

export interface ShBlock {
  /** The `## ` heading the block sits under ('' before the first one). */
  section: string;
  code: string;
}

export interface Step {
  /** One shell statement: a line and the lines its trailing backslashes continue it onto. */
  command: string;
  /** The whole-line `# ` comments right after the statement: the output the page shows for it. */
  shown: string[];
}

/** Every ```sh block of a Markdown text, in order, with its section heading. */
export function shBlocks(markdown: string): ShBlock[] {
  const blocks: ShBlock[] = [];
  let section = '';
  let code: string[] | undefined;
  for (const line of markdown.split('\n')) {
    if (code) {
      if (line.startsWith('```')) {
        blocks.push({ section, code: code.join('\n') });
        code = undefined;
      } else code.push(line);
    } else if (line.startsWith('## ')) section = line.slice(3).trim();
    else if (line === '```sh') code = [];
  }
  return blocks;
}

/** The statements of a block; comment lines before the first statement are dropped. */
export function steps(code: string): Step[] {
  const result: Array<{ lines: string[]; shown: string[] }> = [];
  let continued = false;
  for (const line of code.split('\n')) {
    if (continued) {
      result.at(-1)?.lines.push(line);
    } else if (line.trim() === '') {
      continue;
    } else if (/^#( |$)/.test(line)) {
      result.at(-1)?.shown.push(line.slice(2));
    } else {
      result.push({ lines: [line], shown: [] });
    }
    continued = line.endsWith('\\');
  }
  return result.map((s) => ({ command: s.lines.join('\n'), shown: s.shown }));
}

const squeeze = (text: string) => text.replace(/\s+/g, ' ').trim();

/**
 * The first shown line that the output does not have: shown lines must appear in order among the
 * output's lines (whitespace runs count as one space, `…` stands for anything); undefined when all do.
 */
export function missingShownLine(shown: string[], output: string): string | undefined {
  const lines = output.split('\n').map(squeeze);
  let at = 0;
  for (const line of shown) {
    const pattern = new RegExp(
      `^${squeeze(line)
        .split('…')
        .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
        .join('.*')}$`,
    );
    while (at < lines.length && !pattern.test(lines[at] as string)) at++;
    if (at === lines.length) return line;
    at++;
  }
  return undefined;
}

export interface StepResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * One bash process fed statement by statement, so shell variables carry from one step to the next as
 * they do for a reader pasting into a terminal. Each statement runs with stdin from /dev/null so that
 * no command can read the statements that follow it.
 */
export class BashSession {
  private readonly child: ChildProcessWithoutNullStreams;
  private stdout = '';
  private stderr = '';
  private waiting: (() => void) | undefined;

  constructor(cwd: string, env: NodeJS.ProcessEnv) {
    this.child = spawn('bash', ['--noprofile', '--norc'], { cwd, env });
    const wake = () => this.waiting?.();
    this.child.stdout.on('data', (d) => {
      this.stdout += d;
      wake();
    });
    this.child.stderr.on('data', (d) => {
      this.stderr += d;
      wake();
    });
    this.child.on('exit', wake);
  }

  /** Runs one statement and resolves with its exit status and what it wrote. */
  async run(command: string, timeoutMs = 30_000): Promise<StepResult> {
    const marker = `@@step-${crypto.randomBytes(6).toString('hex')}@@`;
    this.child.stdin.write(
      `{\n${command}\n} </dev/null\nprintf '\\n%s %s\\n' '${marker}' "$?"; printf '\\n%s\\n' '${marker}' >&2\n`,
    );
    const done = new RegExp(`\\n${marker} (\\d+)\\n`);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const out = done.exec(this.stdout);
      const errAt = this.stderr.indexOf(`\n${marker}\n`);
      if (out && errAt >= 0) {
        const result = {
          code: Number(out[1]),
          stdout: this.stdout.slice(0, out.index),
          stderr: this.stderr.slice(0, errAt),
        };
        this.stdout = this.stdout.slice(out.index + out[0].length);
        this.stderr = this.stderr.slice(errAt + marker.length + 2);
        return result;
      }
      if (this.child.exitCode !== null) throw new Error(`bash exited:\n${this.stdout}\n${this.stderr}`);
      if (Date.now() > deadline) throw new Error(`timed out running:\n${command}\n${this.stderr}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 250);
        this.waiting = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  close(): void {
    this.child.stdin.end();
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
  }
}
