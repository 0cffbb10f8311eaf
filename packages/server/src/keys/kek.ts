// The key-encryption key (KEK) and the authenticated encryption of data at rest (AES-256-GCM):
// private signing keys are stored only as blobs sealed with it.
import crypto from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { ServerConfig } from '../config/config.js';
import { ensurePrivateDir, tightenPrivateFile } from '../files/private-files.js';

const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** First byte of every blob: lets a later layout (or algorithm) coexist with this one. */
const BLOB_V1 = 0x01;

/** The KEK file is unreadable or holds something other than 32 base64 bytes. */
export class KekError extends Error {
  override readonly name = 'KekError';
}

function parseKekFile(text: string, file: string): Buffer {
  const trimmed = text.trim();
  const kek = Buffer.from(trimmed, 'base64');
  if (kek.length !== KEY_BYTES || kek.toString('base64') !== trimmed) {
    throw new KekError(`${file} must hold the base64 of exactly 32 bytes; restore it or set CXAUTH_KEK.`);
  }
  return kek;
}

/**
 * Returns the key-encryption key: `config.kek` when set (CXAUTH_KEK), else the one in `$dataDir/kek`,
 * created on first use with mode 0600 in a 0700 folder (an existing file or folder is tightened). Creation is atomic (a private temp file, then `link`, which fails
 * when the name exists), so two processes starting at once end up with the same key.
 */
export async function loadKek(config: Pick<ServerConfig, 'kek' | 'dataDir'>): Promise<Buffer> {
  if (config.kek) return Buffer.from(config.kek);
  const file = path.join(config.dataDir, 'kek');
  // A kek another local user could read or replace is no secret: the folder and file are made private.
  ensurePrivateDir(config.dataDir);
  tightenPrivateFile(file);
  try {
    return parseKekFile(await fs.readFile(file, 'utf8'), file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const tmp = path.join(config.dataDir, `.kek-${process.pid}-${crypto.randomBytes(6).toString('hex')}`);
  const handle = await fs.open(tmp, 'wx', 0o600);
  try {
    await handle.writeFile(`${crypto.randomBytes(KEY_BYTES).toString('base64')}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await fs.link(tmp, file);
  } catch (err) {
    // Another process won the race: its key is the key.
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  } finally {
    await fs.unlink(tmp).catch(() => undefined);
  }
  return parseKekFile(await fs.readFile(file, 'utf8'), file);
}

/**
 * Seals `plaintext` with AES-256-GCM under `kek`, binding it to `aad` (e.g. the key id) so a blob cannot
 * be moved to another record. Layout: version (1 byte) | IV (12) | tag (16) | ciphertext.
 * @see NIST SP 800-38D (GCM), random 96-bit IVs
 */
export function encrypt(kek: Buffer, plaintext: Buffer, aad: string): Buffer {
  if (kek.length !== KEY_BYTES) throw new KekError('the key-encryption key must be 32 bytes');
  const iv = crypto.randomBytes(IV_BYTES);
  const cipher = crypto.createCipheriv('aes-256-gcm', kek, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([Buffer.from([BLOB_V1]), iv, cipher.getAuthTag(), body]);
}

/** Opens a blob made by {@link encrypt}; throws when the key, the AAD or any byte is wrong. */
export function decrypt(kek: Buffer, blob: Buffer, aad: string): Buffer {
  if (kek.length !== KEY_BYTES) throw new KekError('the key-encryption key must be 32 bytes');
  if (blob.length < 1 + IV_BYTES + TAG_BYTES || blob[0] !== BLOB_V1) {
    throw new KekError('unknown or truncated encrypted blob');
  }
  const iv = blob.subarray(1, 1 + IV_BYTES);
  const tag = blob.subarray(1 + IV_BYTES, 1 + IV_BYTES + TAG_BYTES);
  const decipher = crypto.createDecipheriv('aes-256-gcm', kek, iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(Buffer.from(aad, 'utf8'));
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(blob.subarray(1 + IV_BYTES + TAG_BYTES)), decipher.final()]);
  } catch (err) {
    throw new KekError('cannot decrypt: wrong key-encryption key or tampered data', { cause: err });
  }
}
