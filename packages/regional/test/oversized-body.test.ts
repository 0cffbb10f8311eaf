// The regional API's strict HTTP on a body over the limit: an embedder's route that takes a body
// answers a client still writing 2 MiB with the 413 it can read, not a reset under its write.

import type { AddressInfo } from 'node:net';
import net from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parseResponse } from '../../../test/support/raw-http.js';
import { type FakeIssuer, startIssuer } from '../../verify/test/support/issuer.js';
import { createRegionalServer } from '../src/index.js';

let issuer: FakeIssuer;
let app: FastifyInstance;
let port: number;

beforeAll(async () => {
  issuer = await startIssuer();
  app = await createRegionalServer({ area: 'na1', issuer: issuer.url, revocation: false });
  // A route of the embedder's that takes a JSON body (Fastify's default limit, 1 MiB).
  app.post('/notes', async () => ({ ok: true }));
  await app.listen({ host: '127.0.0.1', port: 0 });
  port = (app.server.address() as AddressInfo).port;
});
afterAll(async () => {
  await app?.close();
  await issuer?.close();
});

it('answers a 2 MiB body with a 413 that the client, still writing, reads', async () => {
  const size = 2 * 1024 * 1024;
  const outcome = await new Promise<{ text: string; written: boolean; error: string | undefined }>(
    (resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      let text = '';
      let written = false;
      let error: string | undefined;
      const limit = setTimeout(() => socket.destroy(), 15_000);
      const endWhenDone = () => {
        const answer = parseResponse(text);
        if (written && answer.status !== 0 && answer.body.length >= Number(answer.headers['content-length']))
          socket.end();
      };
      socket.setEncoding('latin1');
      socket.on('data', (chunk: string) => {
        text += chunk;
        endWhenDone();
      });
      socket.on('error', (err: NodeJS.ErrnoException) => {
        error ??= err.code;
      });
      socket.on('close', () => {
        clearTimeout(limit);
        resolve({ text, written, error });
      });
      socket.write(
        `POST /notes HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${size}\r\n\r\n`,
      );
      const piece = Buffer.alloc(16 * 1024, 'a');
      let sent = 0;
      const next = (err?: Error | null) => {
        if (err || socket.destroyed) return;
        if (sent >= size) {
          written = true;
          endWhenDone();
          return;
        }
        sent += piece.length;
        socket.write(piece, (e) => setImmediate(next, e));
      };
      next();
    },
  );
  expect(outcome.error).toBeUndefined();
  expect(outcome.written).toBe(true);
  expect(parseResponse(outcome.text).status).toBe(413);
});
