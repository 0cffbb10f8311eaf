// The hosted sign-in pages, rendered on the server: plain forms that work without JavaScript, with
// labels, autofocus, errors announced and linked to their inputs (aria-describedby), and one small
// stylesheet that reads well from phone to desktop widths.
import { Html, html } from '../domain/html.js';
import { PAGE_STYLE as STYLE } from './page-style.js';
import { type PasskeyOffer, passkeyControls } from './passkey-controls.js';

/** What every page shows of the request: the app's name, and the tenant once it is known. */
export interface PageContext {
  readonly appName: string;
  readonly tenantName?: string | undefined;
  /** `popup`: a compact page for a small window (OIDC Core §3.1.2.1 `display`). */
  readonly display: 'page' | 'popup';
  readonly nonce: string;
}

/** The hidden inputs that carry the interaction and its CSRF token. */
export interface FormState {
  readonly action: string;
  readonly interaction: string;
  readonly csrf: string;
}

export function layout(ctx: PageContext, title: string, body: Html): Html {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${title} – ${ctx.appName}</title>
<style nonce="${ctx.nonce}">${new Html(STYLE)}</style>
</head>
<body class="${ctx.display}">
<main>
${body}
</main>
</body>
</html>
`;
}

export function context(ctx: PageContext): Html {
  return html`<p class="context">to <strong>${ctx.appName}</strong>${
    ctx.tenantName ? html` · tenant <strong>${ctx.tenantName}</strong>` : ''
  }</p>`;
}

export function hidden(state: FormState): Html {
  return html`<input type="hidden" name="interaction" value="${state.interaction}">
<input type="hidden" name="csrf" value="${state.csrf}">`;
}

export function errorBox(error: string | undefined): Html | string {
  return error ? html`<p id="form-error" class="error" role="alert">${error}</p>` : '';
}

/** The first form: e-mail and password. */
export function signInPage(
  ctx: PageContext,
  state: FormState,
  o: { username?: string | undefined; error?: string | undefined; passkey?: PasskeyOffer | undefined },
): Html {
  const pk = passkeyControls(o.passkey, ctx.nonce);
  const invalid = o.error ? html` aria-invalid="true" aria-describedby="form-error"` : '';
  const focusPassword = o.username !== undefined && o.username !== '';
  return layout(
    ctx,
    'Sign in',
    html`<h1>Sign in</h1>
${context(ctx)}
${errorBox(o.error)}
<form method="post" action="${state.action}"${pk.attrs}>
${hidden(state)}
<label for="username">E-mail</label>
<input id="username" name="username" type="email" autocomplete="username${
      o.passkey ? ' webauthn' : ''
    }" inputmode="email" required${
      focusPassword ? '' : html` autofocus`
    } value="${o.username ?? ''}"${invalid}>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required${
      focusPassword ? html` autofocus` : ''
    }${invalid}>
<button type="submit">Sign in</button>
${pk.controls}
</form>${pk.script}${
      o.passkey
        ? html`
<noscript><p class="hint">Signing in with a passkey needs JavaScript, which is off in this browser: sign in with your password here, or set one with "Forgot password?".</p></noscript>`
        : ''
    }
<p class="hint"><a href="/auth/password-reset">Forgot password?</a></p>`,
  );
}

/** The first form when identity providers may claim the address: the e-mail alone (docs/sso.md). */
export function identifierPage(ctx: PageContext, state: FormState): Html {
  return layout(
    ctx,
    'Sign in',
    html`<h1>Sign in</h1>
${context(ctx)}
<form method="post" action="${state.action}">
${hidden(state)}
<label for="username">E-mail</label>
<input id="username" name="username" type="email" autocomplete="username" inputmode="email" required autofocus>
<button type="submit">Continue</button>
</form>`,
  );
}

/** The second form, for users with TOTP enrolled. */
export function otpPage(
  ctx: PageContext,
  state: FormState,
  o: { error?: string | undefined; passkey?: PasskeyOffer | undefined; totp?: boolean },
): Html {
  const pk = passkeyControls(o.passkey, ctx.nonce);
  if (o.totp === false && o.passkey) {
    return layout(
      ctx,
      'Use your passkey',
      html`<h1>Use your passkey</h1>
${context(ctx)}
${errorBox(o.error)}
<form method="post" action="${state.action}"${pk.attrs}>
${hidden(state)}
<p class="hint">This account signs in with one of its passkeys.</p>
${pk.controls}
</form>
<div id="passkey-fallback">
<p class="hint">Using a passkey needs JavaScript, which is off in this browser (or the browser has no passkeys). Turn JavaScript on and reload this page, or sign in on another browser or device.</p>
<form method="post" action="${state.action}">
${hidden(state)}
<input type="hidden" name="restart" value="1">
<button type="submit" class="secondary">Sign in another way</button>
</form>
<p class="hint"><a href="/auth/password-reset">Forgot your password? Set a new one by e-mail</a></p>
</div>${pk.script}`,
    );
  }
  const described = o.error ? 'form-error otp-hint' : 'otp-hint';
  return layout(
    ctx,
    'Verification code',
    html`<h1>Verification code</h1>
${context(ctx)}
${errorBox(o.error)}
<form method="post" action="${state.action}">
${hidden(state)}
<label for="otp">6-digit code</label>
<input id="otp" name="otp" type="text" inputmode="numeric" pattern="[0-9]{6}" maxlength="6" autocomplete="one-time-code" required autofocus aria-describedby="${described}"${
      o.error ? html` aria-invalid="true"` : ''
    }>
<p id="otp-hint" class="hint">Open your authenticator app and enter the code it shows for this account.</p>
<button type="submit">Verify</button>
${pk.controls}
</form>${pk.script}`,
  );
}

/** What the consent page says of the application and the user. */
export interface ConsentView {
  /** The tenant that registered the application; undefined for an application of all tenants. */
  readonly appTenant?: string | undefined;
  /** Each requested scope in words. */
  readonly scopes: readonly string[];
  readonly user: string;
  readonly error?: string | undefined;
}

/** What an app or a device will be able to do, each scope in words (consent, device confirmation). */
export const scopeList = (scopes: readonly string[]): Html =>
  html`<ul class="scopes">
${scopes.map(
  (s) => html`<li>${s}</li>
`,
)}</ul>`;

/**
 * The consent step for an application the platform does not run itself: it names the application,
 * who registered it and what it will receive, and the user allows or denies.
 */
export function consentPage(ctx: PageContext, state: FormState, v: ConsentView): Html {
  return layout(
    ctx,
    'Allow access',
    html`<h1>Allow ${ctx.appName}?</h1>
<p class="context"><strong>${ctx.appName}</strong>${
      v.appTenant === undefined
        ? html`, an application for every tenant,`
        : html`, an application of tenant <strong>${v.appTenant}</strong>,`
    } asks to:</p>
${errorBox(v.error)}
${scopeList(v.scopes)}
<p class="hint">Signed in as <strong>${v.user}</strong>. You can withdraw this later under "Connected apps" in the console.</p>
<form method="post" action="${state.action}">
${hidden(state)}
<button type="submit" name="decision" value="allow" autofocus>Allow</button>
<button type="submit" name="decision" value="deny" class="secondary">Deny</button>
</form>`,
  );
}

/** A request that cannot be answered by a redirect (unknown app, unregistered redirect URI…). */
export function errorPage(
  ctx: Omit<PageContext, 'appName'> & { appName?: string },
  title: string,
  message: string,
): Html {
  return layout(
    { ...ctx, appName: ctx.appName ?? 'cxauth' },
    title,
    html`<h1>${title}</h1>
<p class="error" role="alert">${message}</p>
<p class="hint">Go back to the application and start again.</p>`,
  );
}

/** Logout without a valid id_token_hint: the user confirms (OIDC RP-Initiated Logout §2). */
export function logoutConfirmPage(ctx: PageContext, state: FormState): Html {
  return layout(
    ctx,
    'Sign out',
    html`<h1>Sign out?</h1>
<p class="context">You are signing out of cxauth in this browser.</p>
<form method="post" action="${state.action}">
${hidden(state)}
<button type="submit" autofocus>Sign out</button>
</form>`,
  );
}

export function loggedOutPage(ctx: PageContext): Html {
  return layout(
    ctx,
    'Signed out',
    html`<h1>Signed out</h1>
<p class="context done" role="status">You are signed out in this browser. You can close this window.</p>`,
  );
}
