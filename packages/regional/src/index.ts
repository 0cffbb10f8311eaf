// @cxauth/regional: an area's API server, verifying global access tokens statelessly.

export {
  type AreaMetrics,
  createRegionalMetrics,
  type RegionalManagementServer,
  type RegionalMetrics,
  serveRegionalMetrics,
} from './metrics.js';
export {
  createRegionalServer,
  type RegionalServerOptions,
  type RegionalTimeouts,
  SERVER_TIME_PATH,
} from './server.js';
export { formatServerTime } from './server-time.js';
