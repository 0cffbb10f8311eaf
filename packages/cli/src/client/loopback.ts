// The loopback redirect of a native app's code flow (RFC 8252 §7.3): an HTTP listener on 127.0.0.1 on
// a port the system picks, waiting for the one callback of the sign-in, answering the browser with a
// small page in the hosted sign-in pages' style, then closing.
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { PAGE_STYLE } from '@cxauth/server/page-style';

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** One page, its stylesheet allowed by a nonce and nothing else (no script, no frame, no form). */
function page(title: string, lines: { text: string; class?: string }[]) {
  const nonce = crypto.randomBytes(16).toString('base64');
  const body = lines
    .map((l) => `<p${l.class ? ` class="${l.class}"` : ''}>${escapeHtml(l.text)}</p>`)
    .join('\n');
  return {
    nonce,
    html: `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${escapeHtml(title)} – cxauth</title>
<style nonce="${nonce}">${PAGE_STYLE}</style>
</head>
<body class="page">
<main>
<h1>${escapeHtml(title)}</h1>
${body}
</main>
</body>
</html>
`,
  };
}

/** Headers of every answer: never cached, never framed, no referrer (the URL held the code). */
function headers(nonce: string) {
  return {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'content-security-policy': `default-src 'none'; style-src 'nonce-${nonce}'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'`,
    'referrer-policy': 'no-referrer',
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
  };
}

export interface Loopback {
  /** `http://127.0.0.1:PORT/callback`, the redirect URI to send. */
  readonly redirectUri: string;
  /** The full callback URL once the browser came back; rejects after `timeoutMs`. */
  readonly callback: Promise<string>;
  close(): void;
}

/**
 * Listens on 127.0.0.1 (never another interface: the code must not be reachable from elsewhere) on an
 * ephemeral port, for the first request to /callback that carries `state` or `error`.
 * @see RFC 8252 §7.3 and §8.3
 */
export async function listenLoopback(timeoutMs: number): Promise<Loopback> {
  let done: (url: string) => void = () => undefined;
  let fail: (err: Error) => void = () => undefined;
  const callback = new Promise<string>((resolve, reject) => {
    done = resolve;
    fail = reject;
  });
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.method !== 'GET' || url.pathname !== '/callback' || !url.searchParams.has('state')) {
      const missing = page('Not found', [
        { text: 'This address only receives the sign-in of cxauth login.' },
      ]);
      res.writeHead(404, headers(missing.nonce)).end(missing.html);
      return;
    }
    const error = url.searchParams.get('error');
    // The error code is the server's word for what happened (RFC 6749 §4.1.2.1); shown as text only.
    const answer = error
      ? page('Sign-in failed', [
          { text: `The sign-in did not complete (${error.slice(0, 64)}).`, class: 'error' },
          { text: 'Return to the terminal to see why and what to do.' },
        ])
      : page('Signed in', [
          { text: 'cxauth login has what it needs.', class: 'done' },
          { text: 'You can close this window and return to the terminal.' },
        ]);
    res.writeHead(200, { ...headers(answer.nonce), connection: 'close' }).end(answer.html);
    done(`${redirectUri}${url.search}`);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const redirectUri = `http://127.0.0.1:${port}/callback`;
  const timer = setTimeout(() => fail(new Error('timed out')), timeoutMs);
  timer.unref();
  return {
    redirectUri,
    callback,
    close() {
      clearTimeout(timer);
      server.close();
      server.closeAllConnections();
    },
  };
}
