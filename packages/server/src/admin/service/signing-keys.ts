// Signing keys for `cxauth admin signing-key list|rotate|retire` (docs/admin.md, "Signing keys").
import type { Static } from '@sinclair/typebox';
import type { ServerConfig } from '../../config/config.js';
import type { SigningAlg } from '../../domain/types.js';
import { generateKeyMaterial, type KeyMaterial } from '../../keys/generate.js';
import {
  listSigningKeys,
  retireSigningKey,
  rotateSigningKey,
  SigningKeyError,
} from '../../keys/signing-keys.js';
import { type KeyStatus, type KeyTiming, keyTiming } from '../../keys/states.js';
import { AdminError } from '../../protocol/errors.js';
import type * as Wire from '../api/schemas.js';
import { type AdminContext, iso } from './context.js';

/** What the signing-key verbs need beyond storage: the KEK, the algorithm of new keys, the times. */
export interface SigningKeyAdminOptions {
  readonly kek: Buffer;
  readonly alg: SigningAlg;
  readonly timing: KeyTiming;
}

/** The signing-key options of a configuration. */
export function signingKeyAdminOptions(config: ServerConfig, kek: Buffer): SigningKeyAdminOptions {
  return { kek, alg: config.signingAlg, timing: keyTiming({ ...config.tokens, ...config }) };
}

/** A signing key's public facts, as the admin API shows them. */
export type SigningKeyView = Omit<Static<typeof Wire.SigningKey>, 'alg'> & { alg: SigningAlg };

function view(s: KeyStatus): SigningKeyView {
  return {
    kid: s.key.kid,
    alg: s.key.alg,
    state: s.state,
    createdAt: iso(s.key.createdAt),
    publishAt: iso(s.key.publishAt),
    signFrom: iso(s.key.signFrom),
    retiredAt: iso(s.retiredAt),
    removeAt: iso(s.removeAt),
  };
}

export function signingKeyAdmin(ctx: AdminContext & { signing?: SigningKeyAdminOptions }) {
  const options = (): SigningKeyAdminOptions => {
    if (!ctx.signing) throw new AdminError('invalid_value', 'signing keys need the key-encryption key');
    return ctx.signing;
  };
  return {
    async listSigningKeys(): Promise<{ items: SigningKeyView[] }> {
      return { items: (await listSigningKeys(ctx.storage, ctx.clock(), options().timing)).map(view) };
    },
    /** A new key pair of the configured algorithm, generated before the unit that stores it. */
    async prepareSigningKey(): Promise<KeyMaterial> {
      const { kek, alg } = options();
      return generateKeyMaterial(kek, alg);
    },
    /**
     * Publishes a new key now (`material`, or one generated here); it signs once every verifier can
     * have fetched it (`signFrom`).
     */
    async rotateSigningKey(material?: KeyMaterial): Promise<SigningKeyView> {
      const { kek, alg, timing } = options();
      const key = material ?? (await generateKeyMaterial(kek, alg));
      const made = await rotateSigningKey(ctx.storage, key, ctx.clock(), timing);
      if (!made) throw new AdminError('conflict', 'the rotation did not happen; try again');
      return view(made);
    },
    /** Stops `kid` signing now; refused when no other key could sign. */
    async retireSigningKey(kid: string): Promise<SigningKeyView> {
      try {
        return view(await retireSigningKey(ctx.storage, kid, ctx.clock(), options().timing));
      } catch (err) {
        if (err instanceof SigningKeyError) {
          throw new AdminError(
            err.message.startsWith('no signing key') ? 'not_found' : 'conflict',
            err.message,
          );
        }
        throw err;
      }
    },
  };
}
