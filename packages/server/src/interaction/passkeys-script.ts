// The one script of the sign-in pages, served at /auth/passkeys.js: it reads the passkey options a
// form carries in its data attributes, asks the browser for a passkey (by autofill on the username
// field where the browser offers conditional mediation, or by the button), and posts the form with the
// result. Without it (or without WebAuthn) the forms work as they are, passwords and codes alike.
export const PASSKEYS_SCRIPT = `'use strict';
(() => {
  const form = document.querySelector('form[data-passkey]');
  if (!form || !window.PublicKeyCredential || !navigator.credentials) return;
  // What the page says to a browser without JavaScript or passkeys is not for this one.
  const fallback = document.getElementById('passkey-fallback');
  if (fallback) fallback.hidden = true;
  const d = form.dataset;
  const status = document.getElementById('passkey-status');
  const button = document.getElementById('passkey-button');
  const dec = (s) => Uint8Array.from(atob(s.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));
  const enc = (b) => btoa(String.fromCharCode(...new Uint8Array(b))).replace(/\\+/g, '-').replace(/\\//g, '_').replace(/=+$/, '');
  const say = (text) => { if (status) status.textContent = text; };
  const ids = (json) => JSON.parse(json || '[]').map((id) => ({ type: 'public-key', id: dec(id) }));
  const post = (field, value) => {
    form.querySelector('input[name="' + field + '"]').value = JSON.stringify(value);
    form.submit();
  };
  const failed = (err) => {
    if (err && err.name === 'AbortError') return;
    say('No passkey was used. Try again, or use your password.');
  };
  if (d.passkey === 'get') {
    let pending;
    const get = (mediation) => {
      if (pending) pending.abort();
      pending = new AbortController();
      return navigator.credentials.get({
        mediation,
        signal: pending.signal,
        publicKey: { challenge: dec(d.challenge), rpId: d.rpId, allowCredentials: ids(d.allow), userVerification: 'preferred', timeout: 300000 },
      }).then((c) => {
        if (!c) return;
        post('passkey', {
          id: c.id, rawId: enc(c.rawId), type: c.type,
          authenticatorAttachment: c.authenticatorAttachment || undefined,
          clientExtensionResults: c.getClientExtensionResults(),
          response: {
            clientDataJSON: enc(c.response.clientDataJSON),
            authenticatorData: enc(c.response.authenticatorData),
            signature: enc(c.response.signature),
            userHandle: c.response.userHandle ? enc(c.response.userHandle) : undefined,
          },
        });
      });
    };
    if (button) {
      button.hidden = false;
      button.addEventListener('click', () => get('optional').catch(failed));
    }
    const conditional = PublicKeyCredential.isConditionalMediationAvailable;
    if (JSON.parse(d.allow || '[]').length === 0 && conditional) {
      conditional.call(PublicKeyCredential).then((yes) => { if (yes) get('conditional').catch(failed); });
    }
  }
  if (d.passkey === 'create') {
    say('');
    form.addEventListener('submit', (event) => {
      if (form.querySelector('input[name="credential"]').value !== '') return;
      event.preventDefault();
      const name = form.querySelector('input[name="name"]').value;
      navigator.credentials.create({
        publicKey: {
          challenge: dec(d.challenge),
          rp: { id: d.rpId, name: d.rpId },
          user: { id: dec(d.userId), name: d.userName, displayName: d.userName },
          pubKeyCredParams: [{ type: 'public-key', alg: -7 }, { type: 'public-key', alg: -8 }, { type: 'public-key', alg: -257 }],
          excludeCredentials: ids(d.exclude),
          authenticatorSelection: { residentKey: 'required', requireResidentKey: true, userVerification: 'preferred' },
          attestation: 'none',
          timeout: 300000,
        },
      }).then((c) => {
        if (!c) return;
        form.querySelector('input[name="name"]').value = name;
        post('credential', {
          id: c.id, rawId: enc(c.rawId), type: c.type,
          authenticatorAttachment: c.authenticatorAttachment || undefined,
          clientExtensionResults: c.getClientExtensionResults(),
          response: {
            clientDataJSON: enc(c.response.clientDataJSON),
            attestationObject: enc(c.response.attestationObject),
            transports: c.response.getTransports ? c.response.getTransports() : [],
          },
        });
      }).catch(failed);
    });
  }
})();
`;
