// Where a verifier keeps what it last knew (the JWKS, the revocation feed's state) across restarts,
// so an API restarted while its issuer is down still verifies. Pluggable; fileStore() is the default.
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * A small key-value store of text documents. `save` replaces a document atomically; `load` answers
 * undefined for a document never saved. Errors are reported to the verifier's `onError`, never thrown
 * at a request.
 */
export interface VerifierStore {
  load(name: string): Promise<string | undefined>;
  save(name: string, text: string): Promise<void>;
}

/**
 * A {@link VerifierStore} of files in `dir` (created 0700; files 0600, written to a temporary file
 * and renamed, so a crash never leaves half a document). The verifier names its documents after a
 * digest of its issuer, so verifiers of two issuers can share one folder.
 * @example
 * createVerifier({ issuer, audience, store: fileStore(process.env.CXAUTH_DATA_DIR ?? './data') });
 */
export function fileStore(dir: string): VerifierStore {
  const file = (name: string) => path.join(dir, `${name.replace(/[^a-z0-9-]/gi, '_')}.json`);
  let ready: Promise<void> | undefined;
  const ensureDir = () => {
    ready ??= mkdir(dir, { recursive: true, mode: 0o700 }).then(() =>
      chmod(dir, 0o700).catch(() => undefined),
    );
    return ready;
  };
  let sequence = 0;
  return {
    async load(name) {
      try {
        return await readFile(file(name), 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw err;
      }
    },
    async save(name, text) {
      await ensureDir();
      const target = file(name);
      const temporary = `${target}.${process.pid}.${++sequence}.tmp`;
      await writeFile(temporary, text, { mode: 0o600 });
      await rename(temporary, target);
    },
  };
}
