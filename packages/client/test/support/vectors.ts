// Test helper: the reference document's vectors (reference-vectors.json), typed.
import { readFileSync } from 'node:fs';

export interface ReferenceVectors {
  clientPassword: Array<{ clientId: string; clientSecret: string; expected: string }>;
  passwordGrantBody: Array<{ accessKeyId: string; accessKeySecret: string; expected: string }>;
  hosted: {
    issuer: string;
    clientId: string;
    clientSecret: string;
    accessKeyId: string;
    accessKeySecret: string;
    tenantId: string;
    apiEndpoint: string;
    serverTime: unknown;
    tenantConfiguration: Record<string, unknown>;
    discovery: Record<string, unknown>;
  };
}

export const vectors: ReferenceVectors = JSON.parse(
  readFileSync(new URL('./reference-vectors.json', import.meta.url), 'utf8'),
);
