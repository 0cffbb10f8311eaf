// The admin API's problems (RFC 9457): the constructors its routes use. They are written, with every
// other failure (an invalid bearer token, a schema violation, a framework error, the database down), by
// the one serializer of error responses (http/errors.ts `sendProblem`, `handleProblem`).
import { type InvalidParam, Problem } from '../../protocol/errors.js';

export { handleProblem, PROBLEM_MEDIA_TYPE, sendProblem } from '../../http/errors.js';
export { type InvalidParam, Problem };

export const notFound = (detail = 'no such resource') => new Problem(404, 'Not Found', detail);
export const forbidden = (detail: string) => new Problem(403, 'Forbidden', detail);
export const badRequest = (detail: string, errors?: readonly InvalidParam[]) =>
  new Problem(400, 'Bad Request', detail, errors ? { errors } : {});
