// The pages of RFC 8628 device verification, in the layout of the other sign-in pages: the user code
// form, the confirmation naming the app (the consent page stands in for it where consent is needed),
// and the page each answer ends on.
import { type Html, html } from '../domain/html.js';
import { context, errorBox, type FormState, hidden, layout, type PageContext, scopeList } from './views.js';

/** The first page: the code the device shows (pre-filled from `verification_uri_complete`). */
export function userCodePage(
  ctx: PageContext,
  state: FormState,
  o: { code?: string | undefined; error?: string | undefined },
): Html {
  const invalid = o.error
    ? html` aria-invalid="true" aria-describedby="form-error code-hint"`
    : html` aria-describedby="code-hint"`;
  return layout(
    ctx,
    'Sign in on a device',
    html`<h1>Sign in on a device</h1>
${errorBox(o.error)}
<form method="post" action="${state.action}">
${hidden(state)}
<label for="user_code">Code shown on your device</label>
<input id="user_code" name="user_code" type="text" autocomplete="off" autocapitalize="characters" spellcheck="false" maxlength="32" required autofocus value="${o.code ?? ''}"${invalid}>
<p id="code-hint" class="hint">Enter the code only if you started signing in on the device yourself, just now.</p>
<button type="submit">Continue</button>
</form>`,
  );
}

/**
 * The confirmation for an app that needs no consent: the device is named by its app, and what it will
 * be able to do is listed (RFC 8628 §5.4: someone may have sent the person a code of their own).
 */
export function deviceConfirmPage(
  ctx: PageContext,
  state: FormState,
  o: { user: string; scopes: readonly string[] },
): Html {
  const scopes =
    o.scopes.length === 0
      ? html``
      : html`<p class="context">On that device, <strong>${ctx.appName}</strong> will be able to:</p>
${scopeList(o.scopes)}
`;
  return layout(
    ctx,
    'Confirm the device',
    html`<h1>Sign in to ${ctx.appName} on your device?</h1>
${context(ctx)}
${scopes}<p class="hint">Signed in as <strong>${o.user}</strong>. Allow only if you started this on your device; if someone gave you this code, deny.</p>
<form method="post" action="${state.action}">
${hidden(state)}
<button type="submit" name="decision" value="allow" autofocus>Allow</button>
<button type="submit" name="decision" value="deny" class="secondary">Deny</button>
</form>`,
  );
}

/** The end of a device verification: approved or denied, naming the app. */
export function deviceDonePage(ctx: PageContext, approved: boolean): Html {
  return layout(
    ctx,
    approved ? 'Device signed in' : 'Device not signed in',
    approved
      ? html`<h1>Device signed in</h1>
<p class="context done" role="status">${ctx.appName} is signed in on your device. You can close this window and go back to the device.</p>`
      : html`<h1>Device not signed in</h1>
<p class="context done" role="status">You denied ${ctx.appName} on that device. You can close this window.</p>`,
  );
}
