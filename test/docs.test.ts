// The TypeScript snippets of README.md, docs/*.md and the package READMEs are type-checked against
// the packages' sources, so the documentation cannot drift from the API (docs/design.md).
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const docs = [
  'README.md',
  'packages/client/README.md',
  'packages/verify/README.md',
  ...readdirSync(path.join(root, 'docs')).map((f) => `docs/${f}`),
].filter((f) => f.endsWith('.md'));

/**
 * Names the snippets use without defining them: what a reader has at hand (credentials, a request, the
 * verifier or client made in an earlier snippet of the same page). Global, so a snippet's own
 * module-level definition shadows it.
 */
const PRELUDE = `
declare const clientId: string;
declare const clientSecret: string;
declare const accessKeyId: string;
declare const accessKeySecret: string;
declare const req: import('node:http').IncomingMessage;
declare const verifier: import('@cxauth/verify').Verifier;
declare const cx: import('@cxauth/client').CxauthClient;
`;

function snippets(file: string): string[] {
  const text = readFileSync(path.join(root, file), 'utf8');
  return [...text.matchAll(/^```ts\n([\s\S]*?)^```/gm)].map((m) => m[1] as string);
}

const all = docs.flatMap((file) => snippets(file).map((code, i) => ({ file, i, code })));

describe('documentation snippets', () => {
  it('exist (README and docs hold TypeScript examples)', () => {
    expect(all.length).toBeGreaterThanOrEqual(5);
  });

  it('type-check against the packages', () => {
    // Below the repository so that bare imports (fastify, node types) resolve from its node_modules.
    const dir = path.join(root, 'node_modules', '.cache', 'cxauth-doc-snippets');
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'prelude.d.ts'), PRELUDE);
    const files = all.map(({ file, i, code }) => {
      const name = path.join(dir, `${file.replace(/[/.]/g, '_')}_${i}.mts`);
      writeFileSync(name, `${code}\nexport {};\n`);
      return name;
    });
    const src = (pkg: string) => [path.join(root, 'packages', pkg, 'src', 'index.ts')];
    const program = ts.createProgram([path.join(dir, 'prelude.d.ts'), ...files], {
      target: ts.ScriptTarget.ES2023,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      types: ['node'],
      typeRoots: [path.join(root, 'node_modules', '@types')],
      paths: {
        '@cxauth/client': src('client'),
        '@cxauth/verify': src('verify'),
        '@cxauth/server': src('server'),
        '@cxauth/regional': src('regional'),
        '@cxauth/internal': src('internal'),
        '@cxauth/verify/internal': [path.join(root, 'packages', 'verify', 'src', 'internal.ts')],
      },
    });
    const problems = ts
      .getPreEmitDiagnostics(program)
      .filter((d) => d.file && files.includes(path.normalize(d.file.fileName)))
      .map((d) => {
        const snippet = all[files.indexOf(path.normalize(d.file!.fileName))]!;
        return `${snippet.file} snippet ${snippet.i + 1}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
      });
    expect(problems).toEqual([]);
  }, 60_000);
});

/**
 * Every `cxauth …` command the docs show, in fenced shell blocks and in inline code: one statement per
 * entry, its words as the shell would split them (quotes removed, `$(…)` kept as one word), cut at the
 * first pipe, `&&`, `;`, redirection or comment. Usage lines with `[optional]` parts or `a|b` choices
 * are not commands and are left out.
 */
function shownCommands(file: string): { file: string; shown: string; words: string[] }[] {
  const text = readFileSync(path.join(root, file), 'utf8');
  const found: { file: string; shown: string; words: string[] }[] = [];
  const add = (raw: string) => {
    // Placeholders (`<tenantId>`) stand for a value; a comment is not part of the command.
    const statement = raw.replace(/<[^>\s][^>]*>/g, 'x').replace(/(^|\s)#.*$/, '');
    const at = statement.search(/(^|\s|\()(npx\s+)?cxauth\s/);
    if (at < 0) return;
    let rest = statement.slice(at).trim();
    // `$(cxauth …)`: the command ends at the closing parenthesis.
    if (rest.startsWith('('))
      rest = rest.slice(1, rest.lastIndexOf(')') < 0 ? undefined : rest.lastIndexOf(')'));
    const words = shellWords(rest);
    const start = words.indexOf('cxauth');
    if (start < 0) return;
    // `cxauth console: URL` is what `cxauth serve` prints, not a command; some names are labels.
    if (words[start + 1]?.endsWith(':') || NOT_COMMANDS.has(words.slice(start).join(' '))) return;
    found.push({ file, shown: raw.trim(), words: words.slice(start + 1) });
  };
  for (const m of text.matchAll(/^```(?:sh|bash|shell)\n([\s\S]*?)^```/gm)) {
    const lines = (m[1] as string).split('\n');
    for (let i = 0; i < lines.length; i++) {
      let line = lines[i] as string;
      while (line.endsWith('\\') && i + 1 < lines.length) line = `${line.slice(0, -1)} ${lines[++i]}`;
      if (/^\s*#/.test(line)) continue;
      add(line);
    }
  }
  // Headings name topics (a feature not built may be one), not commands.
  const prose = text.replace(/^```[\s\S]*?^```/gm, '').replace(/^#.*$/gm, '');
  for (const m of prose.matchAll(/`((?:npx )?cxauth [^`]+)`/g)) {
    const span = m[1] as string;
    if (/[[\]|…]|\.\.\./.test(span) || /<(kind|verb|METHOD|path)>/.test(span)) continue;
    add(span);
  }
  return found;
}

/** Code spans that start with "cxauth" and are not commands. */
const NOT_COMMANDS = new Set([
  // The HKDF info string of the secret hash (docs/storage.md).
  'cxauth secret hash v1',
]);

/** The words of a shell statement up to its first operator or comment (enough for the docs' commands). */
function shellWords(statement: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  for (let i = 0; i < statement.length; i++) {
    const c = statement[i] as string;
    if (c === "'" || c === '"') {
      const end = statement.indexOf(c, i + 1);
      word = (word ?? '') + statement.slice(i + 1, end < 0 ? undefined : end);
      i = end < 0 ? statement.length : end;
    } else if (c === '$' && statement[i + 1] === '(') {
      let depth = 0;
      let j = i;
      for (; j < statement.length; j++) {
        if (statement[j] === '(') depth++;
        if (statement[j] === ')' && --depth === 0) break;
      }
      word = (word ?? '') + statement.slice(i, j + 1);
      i = j;
    } else if (/\s/.test(c)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else if (word === undefined && /[|;&<>#]/.test(c)) {
      break;
    } else if (/[|;&]/.test(c)) {
      break;
    } else {
      word = (word ?? '') + c;
    }
  }
  if (word !== undefined) words.push(word);
  return words;
}

const commands = docs.flatMap(shownCommands);

describe('documented cxauth commands', () => {
  it('are found (README and docs show the CLI)', () => {
    expect(commands.length).toBeGreaterThanOrEqual(60);
    expect(commands.some((c) => c.words.join(' ').startsWith('admin bootstrap --email'))).toBe(true);
  });

  // Each command runs with --help appended: the CLI parses every word strictly (an unknown command,
  // kind, verb or flag exits 2) and then only prints help, so nothing is sent or changed.
  it('name commands, verbs and flags the CLI has', async () => {
    const { main } = await import('../packages/cli/src/main.js');
    const problems: string[] = [];
    for (const { file, shown, words } of commands) {
      const err: string[] = [];
      const io = {
        env: { HOME: '/nonexistent', CXAUTH_DATA_DIR: '/nonexistent' },
        stdout: () => undefined,
        stderr: (t: string) => err.push(t),
        readStdin: async () => '',
      };
      const code = await main([...words, '--help'], io).catch((e: unknown) => {
        err.push(String(e));
        return -1;
      });
      if (code !== 0) problems.push(`${file}: \`${shown}\` → exit ${code}: ${err.join(' ').slice(0, 200)}`);
    }
    expect(problems).toEqual([]);
  }, 60_000);

  it('would catch an unknown verb or flag', async () => {
    const { main } = await import('../packages/cli/src/main.js');
    const io = { env: {}, stdout: () => undefined, stderr: () => undefined, readStdin: async () => '' };
    expect(await main(['admin', 'app', 'disable', 'x', '--help'], io)).toBe(2);
    expect(await main(['admin', 'area', 'create', '--bogus', '--help'], io)).toBe(2);
    expect(await main(['token', '--grant', 'x', '--help'], io)).toBe(2);
    expect(await main(['nothing', '--help'], io)).toBe(2);
    expect(await main(['admin', 'area', 'list', '--help'], io)).toBe(0);
  });
});
