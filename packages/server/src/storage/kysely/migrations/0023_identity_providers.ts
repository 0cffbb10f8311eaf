// Enterprise sign-in per tenant (docs/sso.md): a tenant's identity providers (their settings, and
// their client secret or signing key sealed with the KEK), the e-mail domains each claims, the links
// of upstream subjects to users, the pending federated sign-ins (state, nonce, PKCE verifier, SAML
// request id) that a callback must match, the SAML assertion ids seen (never accepted twice), the IdP a
// sign-in came through, and the tenant's `sso_required`.
import type { Migration } from 'kysely';
import type { Dialect } from '../rows.js';
import type { AnyDb } from './any-db.js';

export function identityProviders(dialect: Dialect): Migration {
  const bytes = dialect === 'postgres' ? 'bytea' : 'blob';
  return {
    async up(db: AnyDb) {
      await db.schema
        .createTable('identity_providers')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('enabled', 'integer', (c) => c.notNull())
        .addColumn('default_role', 'text', (c) => c.notNull())
        // JSON: the kind's settings (issuer, client id, scopes, attribute mapping…), nothing secret.
        .addColumn('settings', 'text', (c) => c.notNull())
        .addColumn('secret_sealed', bytes)
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('identity_providers_tenant')
        .on('identity_providers')
        .columns(['tenant_id', 'id'])
        .execute();
      await db.schema
        .createTable('identity_provider_domains')
        .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
        .addColumn('domain', 'text', (c) => c.notNull())
        .addColumn('idp_id', 'text', (c) => c.notNull().references('identity_providers.id'))
        .addPrimaryKeyConstraint('identity_provider_domains_pk', ['tenant_id', 'domain'])
        .execute();
      await db.schema
        .createIndex('identity_provider_domains_domain')
        .on('identity_provider_domains')
        .column('domain')
        .execute();
      await db.schema
        .createTable('federated_identities')
        .addColumn('idp_id', 'text', (c) => c.notNull().references('identity_providers.id'))
        .addColumn('subject', 'text', (c) => c.notNull())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('federated_identities_pk', ['idp_id', 'subject'])
        .execute();
      await db.schema
        .createIndex('federated_identities_user')
        .on('federated_identities')
        .column('user_id')
        .execute();
      await db.schema
        .createTable('federation_requests')
        .addColumn('state_hash', bytes, (c) => c.primaryKey())
        .addColumn('idp_id', 'text', (c) => c.notNull())
        // Sealed with the KEK: the PKCE verifier, the nonce and the app's authorization request.
        .addColumn('payload_sealed', bytes, (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('federation_requests_expires')
        .on('federation_requests')
        .column('expires_at')
        .execute();
      await db.schema
        .createTable('saml_assertions')
        .addColumn('idp_id', 'text', (c) => c.notNull())
        .addColumn('assertion_id', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('saml_assertions_pk', ['idp_id', 'assertion_id'])
        .execute();
      await db.schema
        .createIndex('saml_assertions_expires')
        .on('saml_assertions')
        .column('expires_at')
        .execute();
      await db.schema.alterTable('sign_ins').addColumn('idp', 'text').execute();
      // A refreshed id_token names the IdP of the sign-in its session came from (OIDC Core §12.2).
      await db.schema.alterTable('sign_in_sessions').addColumn('idp', 'text').execute();
      await db.schema.alterTable('authorization_codes').addColumn('idp', 'text').execute();
      await db.schema
        .alterTable('tenants')
        .addColumn('sso_required', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
    },
  };
}
