// @cxauth/internal: what the global service, the regional API and the `cxauth` command share and no
// user installs — plain listeners, strict HTTP, client timeouts, the request log, the drain on shutdown
// (docs/design.md).

// Private modules of @cxauth/verify that the servers use too (one copy: verify cannot depend on this).
export { type FetchJsonOptions, fetchJson, Lru } from '@cxauth/verify/internal';
export { DRAIN_IDLE_GRACE_MS, type DrainResult, drain } from './drain.js';
export { listenPlain, type PlainListener } from './listen.js';
export {
  levelOf,
  noteFailure,
  pathOf,
  type RequestLevel,
  type RequestLogOptions,
  registerRequestLog,
} from './request-log.js';
export {
  type RefuseRequest,
  registerStrictHeaders,
  type StrictRefusal,
  strictRefusal,
} from './strict-headers.js';
export {
  answerClientError,
  CLIENT_TIMEOUT_DEFAULTS,
  type ClientTimeouts,
  DRAIN_DEFAULTS,
  type DrainBounds,
  drainRefusedBody,
  isIdentityCoding,
  repeatedHeader,
  timeoutOptions,
} from './strict-http.js';
