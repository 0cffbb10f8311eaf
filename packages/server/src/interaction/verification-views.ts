// The pages of e-mail verification at sign-in (docs/people.md): where the link went (the address
// masked) with a button to send it again, the button the mailed link opens, and the end.
import { type Html, html } from '../domain/html.js';
import { context, type FormState, hidden, layout, type PageContext } from './views.js';

/** The answer of a sign-in that waits for the address, and of every "send it again". */
export function verificationSentPage(
  ctx: PageContext,
  state: FormState,
  o: { masked: string; again: boolean },
): Html {
  return layout(
    ctx,
    'Verify your e-mail address',
    html`<h1>Verify your e-mail address</h1>
${context(ctx)}
<p class="context done" role="status">${o.again ? 'We sent the link again' : 'We sent a link'} to <strong>${o.masked}</strong>. Open it to verify your address: in this browser, the sign-in then goes on where it stopped.</p>
<p class="hint">It works once, for a limited time. If no mail arrives in a few minutes, look in your spam folder, or send it again.</p>
<form method="post" action="${state.action}">
${hidden(state)}
<button type="submit" class="secondary">Send the link again</button>
</form>`,
  );
}

/** What the mailed link opens: one button, so that a mail scanner following links verifies nothing. */
export function verifyEmailPage(
  ctx: PageContext,
  state: FormState,
  o: { email: string; tenantName: string },
): Html {
  return layout(
    ctx,
    'Verify your e-mail address',
    html`<h1>Verify your e-mail address</h1>
<p class="context">for <strong>${o.email}</strong>${ctx.tenantName ? html` · tenant <strong>${ctx.tenantName}</strong>` : ''}</p>
<form method="post" action="${state.action}">
${hidden(state)}
<button type="submit">Verify my address</button>
</form>`,
  );
}

/** The end, when this browser has no sign-in to go on with. */
export function emailVerifiedPage(ctx: PageContext, o: { email: string }): Html {
  return layout(
    ctx,
    'Address verified',
    html`<h1>Address verified</h1>
<p class="context done" role="status">Your address <strong>${o.email}</strong> is verified. Go back to the app and sign in again.</p>`,
  );
}
