// `cxauth admin signing-key list|rotate|retire KID` (docs/admin.md, "Signing keys").
import type { Kind } from './spec.js';

export const SIGNING_KEY: Kind = {
  summary: 'signing keys: list, rotate (publish a new key), retire (stop signing)',
  verbs: {
    list: { usage: '', options: {}, run: (admin) => admin.listSigningKeys() },
    rotate: { usage: '', options: {}, run: (admin) => admin.rotateSigningKey() },
    retire: {
      usage: 'KID',
      options: {},
      id: 'KID',
      run: (admin, _v, kid) => admin.retireSigningKey(kid ?? ''),
    },
  },
};
