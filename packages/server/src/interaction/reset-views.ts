// The pages of self-service password reset, in the layout of the other sign-in pages: the e-mail form,
// the one answer it always gives, the new-password form a mailed link opens, and the end.
import { type Html, html } from '../domain/html.js';
import { errorBox, type FormState, hidden, layout, type PageContext } from './views.js';

export function resetRequestPage(
  ctx: PageContext,
  state: FormState,
  o: { error?: string | undefined },
): Html {
  return layout(
    ctx,
    'Reset your password',
    html`<h1>Reset your password</h1>
${errorBox(o.error)}
<form method="post" action="${state.action}">
${hidden(state)}
<label for="email">E-mail</label>
<input id="email" name="email" type="email" autocomplete="username" inputmode="email" required autofocus aria-describedby="email-hint">
<p id="email-hint" class="hint">We will mail a link to set a new password to this address, if it has an account.</p>
<button type="submit">Send the link</button>
</form>`,
  );
}

/** The answer to every request, whether the e-mail has an account or not. */
export function resetSentPage(ctx: PageContext): Html {
  return layout(
    ctx,
    'Check your mail',
    html`<h1>Check your mail</h1>
<p class="context done" role="status">If an account uses that e-mail, a link to set a new password is on its way. It works once, for a limited time.</p>`,
  );
}

/** The password form a mailed link opens, as a reset or an invitation words it. */
function linkPasswordPage(
  ctx: PageContext,
  state: FormState,
  o: { email: string; minLength: number; error?: string | undefined },
  words: { title: string; label: string; button: string },
): Html {
  const invalid = o.error
    ? html` aria-invalid="true" aria-describedby="form-error password-hint"`
    : html` aria-describedby="password-hint"`;
  return layout(
    ctx,
    words.title,
    html`<h1>${words.title}</h1>
<p class="context">for <strong>${o.email}</strong>${ctx.tenantName ? html` · tenant <strong>${ctx.tenantName}</strong>` : ''}</p>
${errorBox(o.error)}
<form method="post" action="${state.action}">
${hidden(state)}
<input type="hidden" name="username" autocomplete="username" value="${o.email}">
<label for="password">${words.label}</label>
<input id="password" name="password" type="password" autocomplete="new-password" minlength="${String(o.minLength)}" required autofocus${invalid}>
<p id="password-hint" class="hint">At least ${String(o.minLength)} characters. A phrase of a few words is easy to remember; common passwords are refused.</p>
<button type="submit">${words.button}</button>
</form>`,
  );
}

export const newPasswordPage = (
  ctx: PageContext,
  state: FormState,
  o: { email: string; minLength: number; error?: string | undefined },
): Html =>
  linkPasswordPage(ctx, state, o, {
    title: 'Choose a new password',
    label: 'New password',
    button: 'Set the password',
  });

export function passwordChangedPage(ctx: PageContext): Html {
  return layout(
    ctx,
    'Password changed',
    html`<h1>Password changed</h1>
<p class="context done" role="status">Your new password is set, and every session signed in with the old one has ended. Go back to the app and sign in.</p>`,
  );
}

/** The password form a mailed invitation opens (docs/people.md#invitations). */
export const invitationPage = (
  ctx: PageContext,
  state: FormState,
  o: { email: string; minLength: number; error?: string | undefined },
): Html =>
  linkPasswordPage(ctx, state, o, {
    title: 'Choose your password',
    label: 'Password',
    button: 'Create my account',
  });

/** The end of an accepted invitation: the account exists and this browser is signed in. */
export function signedInPage(ctx: PageContext, o: { email: string; console: string }): Html {
  return layout(
    ctx,
    "You're signed in",
    html`<h1>You're signed in</h1>
<p class="context done" role="status">Your account <strong>${o.email}</strong> is ready, and this browser is signed in with it.</p>
<p><a href="${o.console}">Go to the console</a></p>`,
  );
}
