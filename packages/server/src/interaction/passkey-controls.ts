// What a sign-in form shows of a passkey offer (interaction/passkeys.ts): data attributes the script
// reads, a status line, a button the script reveals, and the script itself (by the page's nonce).
import { type Html, html } from '../domain/html.js';

/** What a sign-in form shows for passkeys: the challenge and, for a second factor, whose passkeys. */
export interface PasskeyOffer {
  readonly challenge: string;
  readonly rpId: string;
  /** Credential IDs allowed (a second factor); empty: any discoverable credential (a first factor). */
  readonly allow: readonly string[];
}

/** The attributes and controls of a sign-in form with a passkey offer (the script reads them). */
export function passkeyControls(offer: PasskeyOffer | undefined, nonce: string) {
  if (!offer) return { attrs: '', controls: '' as Html | string, script: '' as Html | string };
  return {
    attrs: html` data-passkey="get" data-challenge="${offer.challenge}" data-rp-id="${offer.rpId}" data-allow="${JSON.stringify(offer.allow)}"`,
    controls: html`<input type="hidden" name="passkey" value="">
<p id="passkey-status" class="hint" role="status" aria-live="polite"></p>
<button type="button" id="passkey-button" class="secondary" hidden>Sign in with a passkey</button>`,
    script: html`<script src="/auth/passkeys.js" nonce="${nonce}" defer></script>`,
  };
}
