// Enterprise sign-in (docs/sso.md): a tenant's identity providers. Add one by pasting its SAML metadata
// XML or its OpenID Connect issuer URL (with the client registered there), copy what to register at the
// IdP (the SP metadata URL and ACS, or the redirect URI), allow or refuse sign-ins a SAML IdP starts
// itself (IdP-initiated, off unless allowed), and delete one. Operators pick the tenant.
import { useState } from 'preact/hooks';
import { api, ok } from '../../api/client.js';
import { profile } from '../../auth/profile.js';
import { useConfirm } from '../../components/confirm.js';
import { Table } from '../../components/table.js';
import { Empty, ErrorNote, lines, Page, TenantPicker, useAction, useLoad } from '../../components/ui.js';

export function Sso() {
  const self = profile();
  const [tenantId, setTenantId] = useState(self.tenantId);
  const tenants = useLoad(async () => {
    if (self.level !== 'operator') return [];
    return ok(await api.GET('/admin/v1/tenants')).items;
  });
  const idps = useLoad(
    async () =>
      ok(await api.GET('/admin/v1/tenants/{id}/identity-providers', { params: { path: { id: tenantId } } }))
        .items,
    [tenantId],
  );
  const [kind, setKind] = useState<'saml' | 'oidc'>('saml');
  const [name, setName] = useState('');
  const [domains, setDomains] = useState('');
  const [metadata, setMetadata] = useState('');
  const [issuer, setIssuer] = useState('');
  const [clientId, setClientId] = useState('');
  const [secret, setSecret] = useState('');
  const [idpInitiated, setIdpInitiated] = useState(false);
  const [landing, setLanding] = useState('');
  const action = useAction();
  const { confirm, dialog } = useConfirm();

  const add = (event: Event) => {
    event.preventDefault();
    return action.run(async () => {
      const common = { name: name.trim(), domains: lines(domains) };
      ok(
        await api.POST('/admin/v1/tenants/{id}/identity-providers', {
          params: { path: { id: tenantId } },
          body:
            kind === 'saml'
              ? {
                  kind,
                  ...common,
                  saml: {
                    metadata_xml: metadata,
                    ...(idpInitiated ? { allow_idp_initiated: true } : {}),
                    ...(idpInitiated && landing.trim() !== '' ? { idp_initiated_url: landing.trim() } : {}),
                  },
                }
              : {
                  kind,
                  ...common,
                  oidc: {
                    issuer: issuer.trim(),
                    client_id: clientId.trim(),
                    ...(secret === '' ? {} : { client_secret: secret }),
                  },
                },
        }),
      );
      setName('');
      setDomains('');
      setMetadata('');
      setIssuer('');
      setClientId('');
      setSecret('');
      setIdpInitiated(false);
      setLanding('');
      await idps.reload();
    });
  };
  const setInitiated = (id: string, allow: boolean) =>
    action.run(async () => {
      ok(
        await api.PATCH('/admin/v1/tenants/{id}/identity-providers/{idpId}', {
          params: { path: { id: tenantId, idpId: id } },
          body: { saml: { allow_idp_initiated: allow } },
        }),
      );
      await idps.reload();
    });
  const remove = async (id: string, label: string) => {
    const yes = await confirm({
      title: `Delete the identity provider "${label}"?`,
      body: <p>Its users can no longer sign in through it; their accounts stay.</p>,
      action: 'Delete identity provider',
    });
    if (!yes) return;
    await action.run(async () => {
      ok(
        await api.DELETE('/admin/v1/tenants/{id}/identity-providers/{idpId}', {
          params: { path: { id: tenantId, idpId: id } },
        }),
      );
      await idps.reload();
    });
  };

  return (
    <Page
      title="Enterprise sign-in"
      intro="People of the e-mail domains an identity provider claims sign in through it (SAML 2.0 or OpenID Connect: Entra ID, Okta, ADFS). Register at the IdP what the list shows."
    >
      {dialog}
      <TenantPicker tenants={tenants.data} value={tenantId} onChange={setTenantId} />
      <form onSubmit={(e) => void add(e)}>
        <fieldset>
          <legend>Kind</legend>
          <label>
            <input type="radio" name="kind" checked={kind === 'saml'} onChange={() => setKind('saml')} /> SAML
            2.0
          </label>
          <label>
            <input type="radio" name="kind" checked={kind === 'oidc'} onChange={() => setKind('oidc')} />{' '}
            OpenID Connect
          </label>
        </fieldset>
        <label>
          Name
          <input value={name} required maxLength={100} onInput={(e) => setName(e.currentTarget.value)} />
        </label>
        <label>
          E-mail domains (one per line)
          <textarea value={domains} rows={2} onInput={(e) => setDomains(e.currentTarget.value)} />
        </label>
        {kind === 'saml' ? (
          <>
            <label>
              IdP metadata XML
              <textarea
                value={metadata}
                required
                rows={6}
                onInput={(e) => setMetadata(e.currentTarget.value)}
              />
            </label>
            <label>
              <input
                type="checkbox"
                checked={idpInitiated}
                onChange={(e) => setIdpInitiated(e.currentTarget.checked)}
              />{' '}
              Accept sign-ins started at the IdP's portal (IdP-initiated; anyone who can get the IdP to sign
              them in can then sign a browser in to their own account)
            </label>
            {idpInitiated && (
              <label>
                Landing page after an IdP-initiated sign-in (empty: the console)
                <input type="url" value={landing} onInput={(e) => setLanding(e.currentTarget.value)} />
              </label>
            )}
          </>
        ) : (
          <>
            <label>
              Issuer URL
              <input type="url" value={issuer} required onInput={(e) => setIssuer(e.currentTarget.value)} />
            </label>
            <label>
              Client ID
              <input value={clientId} required onInput={(e) => setClientId(e.currentTarget.value)} />
            </label>
            <label>
              Client secret
              <input
                type="password"
                autocomplete="off"
                value={secret}
                onInput={(e) => setSecret(e.currentTarget.value)}
              />
            </label>
          </>
        )}
        <button type="submit" disabled={action.busy || name.trim() === ''}>
          Add identity provider
        </button>
      </form>
      <ErrorNote error={idps.error ?? action.error} />
      {idps.data?.length === 0 && <Empty>No identity providers yet.</Empty>}
      {idps.data && idps.data.length > 0 && (
        <Table
          caption="Identity providers"
          rows={idps.data}
          rowKey={(i) => i.id}
          columns={[
            { label: 'Name', cell: (i) => i.name },
            { label: 'Kind', cell: (i) => (i.kind === 'saml' ? 'SAML 2.0' : 'OpenID Connect') },
            { label: 'Domains', cell: (i) => i.domains.join(', ') || '—' },
            {
              label: 'Register at the IdP',
              cell: (i) =>
                i.saml ? (
                  <dl>
                    <dt>SP metadata URL (Entity ID)</dt>
                    <dd>
                      <code>{i.saml.sp_metadata_url}</code>
                    </dd>
                    <dt>ACS (HTTP-POST)</dt>
                    <dd>
                      <code>{i.saml.acs_url}</code>
                    </dd>
                    <dt>IdP-initiated sign-in</dt>
                    <dd>
                      {i.saml.allow_idp_initiated
                        ? `accepted, lands on ${i.saml.idp_initiated_url ?? 'the console'}`
                        : 'refused'}
                    </dd>
                  </dl>
                ) : (
                  <dl>
                    <dt>Redirect URI</dt>
                    <dd>
                      <code>{i.oidc?.redirect_uri}</code>
                    </dd>
                  </dl>
                ),
            },
            {
              label: 'Actions',
              cell: (i) => (
                <>
                  {i.saml && (
                    <button
                      type="button"
                      class="small"
                      disabled={action.busy}
                      onClick={() => void setInitiated(i.id, !i.saml?.allow_idp_initiated)}
                    >
                      {i.saml.allow_idp_initiated ? 'Refuse' : 'Accept'} IdP-initiated
                      <span class="sr-only"> sign-in for {i.name}</span>
                    </button>
                  )}
                  <button
                    type="button"
                    class="danger-outline small"
                    onClick={() => void remove(i.id, i.name)}
                  >
                    Delete<span class="sr-only"> identity provider {i.name}</span>
                  </button>
                </>
              ),
            },
          ]}
        />
      )}
    </Page>
  );
}
