// The form body parser of the service: protocol/params.ts's parser with a capped body size.
import type { FastifyInstance } from 'fastify';
import { FORM_MEDIA_TYPE, parseForm } from '../protocol/params.js';

/** Registers the form parser, replacing any other parser of that media type. */
export function registerFormParser(app: FastifyInstance, bodyLimit: number): void {
  app.addContentTypeParser(FORM_MEDIA_TYPE, { parseAs: 'string', bodyLimit }, (_request, body, done) => {
    try {
      done(null, parseForm(body as string));
    } catch (err) {
      done(err as Error, undefined);
    }
  });
}
