// The pages of a federated sign-in: the hand-over to the identity provider (a link and a meta
// refresh, since the sign-in pages run no script and their form-action names no IdP).
import { Html, html } from '../domain/html.js';
import { layout, type PageContext } from '../interaction/views.js';

export function handOverPage(ctx: PageContext, idpName: string, url: string): Html {
  const page = layout(
    ctx,
    'Sign in',
    html`<h1>Sign in with ${idpName}</h1>
<p class="context" role="status">Taking you to your organization's sign-in page…</p>
<p><a href="${url}">Continue to ${idpName}</a></p>`,
  );
  // The refresh goes in the head: a navigation, not a form post.
  return new Html(
    page.text.replace('</head>', html`<meta http-equiv="refresh" content="0;url=${url}">\n</head>`.text),
  );
}
