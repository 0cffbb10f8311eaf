// Imported password hashes read as the systems that wrote them do: published vectors of passlib and
// Django, the argon2 reference's parameters, bcrypt's prefixes; and bounds that refuse hashes costing
// a denial of service, with reasons that never quote the hash.
import crypto from 'node:crypto';
import { hash as bcryptHash } from '@node-rs/bcrypt';
import { describe, expect, it } from 'vitest';
import { type LegacyHash, parseLegacyHash, verifyLegacy } from '../src/secrets/legacy-hashes.js';
import { importableHash, verifyPassword } from '../src/secrets/passwords.js';

const parsed = (encoded: string): LegacyHash => {
  const p = parseLegacyHash(encoded);
  if (!p || 'problem' in p) throw new Error(`not parsed: ${JSON.stringify(p)}`);
  return p;
};

describe('legacy hash formats', () => {
  it('verifies passlib’s pbkdf2-sha256 (adapted base64) as passlib does', async () => {
    const h = '$pbkdf2-sha256$1212$4vjV83LKPjQzk31VI4E0Vw$hsYF68OiOUPdDZ1Fg.fJPeq1h/gXXY7acBp9/6c.tmQ';
    expect(await verifyLegacy('password', parsed(h))).toBe(true);
    expect(await verifyLegacy('Password', parsed(h))).toBe(false);
  });

  it('verifies Django’s pbkdf2_sha256 with a text salt and a non-ASCII password', async () => {
    const h = 'pbkdf2_sha256$1000000$seasalt$r1uLUxoxpP2Ued/qxvmje7UH9PUJBkRrvf9gGPL7Cps=';
    expect(parsed(h).format).toBe('django-pbkdf2-sha256');
    expect(await verifyLegacy('lètmein', parsed(h))).toBe(true);
    expect(await verifyLegacy('letmein', parsed(h))).toBe(false);
  });

  it('verifies bcrypt under each of its prefixes, and says the hash needs an upgrade', async () => {
    const h = await bcryptHash('hunter2 hunter2', { cost: 4 });
    for (const prefix of ['$2a$', '$2b$', '$2y$']) {
      const stored = h.replace(/^\$2b\$/, prefix);
      expect(importableHash(stored)).toEqual({ format: 'bcrypt' });
      expect(await verifyPassword('hunter2 hunter2', stored)).toEqual({ ok: true, rehash: true });
      expect(await verifyPassword('hunter2 hunter3', stored)).toEqual({ ok: false, rehash: false });
    }
  });

  it('refuses argon2 other than argon2id v=19, and parameters past the bounds', () => {
    const tail = '$c29tZXNhbHQ$RdescudvJCsgt3ub+b+dWRWJTmaaJObG';
    expect(importableHash(`$argon2id$v=19$m=65536,t=3,p=4${tail}`)).toEqual({ format: 'argon2id' });
    expect(importableHash(`$argon2i$v=19$m=65536,t=2,p=4${tail}`)).toMatchObject({
      problem: expect.stringMatching(/not a recognised hash/),
    });
    expect(importableHash(`$argon2id$v=16$m=65536,t=3,p=4${tail}`)).toEqual({
      problem: 'only argon2id version 19 (v=19) is accepted',
    });
    expect(importableHash(`$argon2id$v=19$m=65536,t=99,p=4${tail}`)).toEqual({
      problem: 'argon2id t=99 is outside 1 to 10',
    });
    expect(importableHash(`$argon2id$v=19$m=65536,t=3,p=64${tail}`)).toEqual({
      problem: 'argon2id p=64 is outside 1 to 16',
    });
  });

  it('refuses bcrypt, scrypt and PBKDF2 costs that would take seconds or gigabytes', () => {
    const bcrypt = `$2b$15$${'a'.repeat(53)}`;
    const scrypt = '$scrypt$ln=17,r=8,p=16$c29tZXNhbHRzYWx0$RdescudvJCsgt3ub+b+dWRWJTmaaJObG';
    const pbkdf2 = '$pbkdf2-sha256$i=999$c29tZXNhbHQ$RdescudvJCsgt3ub+b+dWRWJTmaaJObG';
    const problems = [bcrypt, scrypt, pbkdf2, `$2b$10$${'a'.repeat(600)}`].map((h) => importableHash(h));
    expect(problems).toEqual([
      { problem: 'bcrypt cost 15 is outside 4 to 14' },
      { problem: 'scrypt ln=17,r=8,p=16 needs more than 256 MiB or 1 GiB of work' },
      { problem: 'PBKDF2 iterations 999 are outside 1000 to 3000000' },
      { problem: 'the hash is too long' },
    ]);
    expect(importableHash('$scrypt$ln=14,r=8,p=1$c29tZXNhbHRzYWx0$RdescudvJCsgt3ub+b+dWRWJTmaaJObG')).toEqual(
      {
        format: 'scrypt',
      },
    );
  });

  it('does not sign in with a stored hash past the bounds (as if it were no hash)', async () => {
    // One written to the database by some other way than the import is still never computed.
    const huge = '$2b$31$abcdefghijklmnopqrstuuVGvxPBRjHxQV0lYg4sZ5Bz3i5Zz0M3e';
    expect(await verifyPassword('anything at all', huge)).toEqual({ ok: false, rehash: false });
  });

  it('answers a wrong password for a cheap imported hash no faster than for an unknown user', async () => {
    // Otherwise a 1,000-round PBKDF2 hash would tell, by a quick answer, that its e-mail has an account.
    const salt = crypto.randomBytes(16);
    const hash = crypto.pbkdf2Sync('the right one', salt, 1000, 32, 'sha256');
    const stored = `$pbkdf2-sha256$i=1000$${salt.toString('base64').replace(/=+$/, '')}$${hash
      .toString('base64')
      .replace(/=+$/, '')}`;
    const time = async (s: string | undefined) => {
      const start = performance.now();
      expect((await verifyPassword('a wrong one', s)).ok).toBe(false);
      return performance.now() - start;
    };
    await time(undefined);
    const unknown: number[] = [];
    const imported: number[] = [];
    for (let i = 0; i < 5; i++) {
      unknown.push(await time(undefined));
      imported.push(await time(stored));
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[2] as number;
    expect(median(imported)).toBeGreaterThan(0.5 * median(unknown));
  });
});
