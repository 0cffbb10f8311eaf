// `@cxauth/verify/internal`: the private modules of this package that cxauth's own servers re-use
// through `@cxauth/internal` (the only importer). Not part of the public API: anything here may change
// or go in any release; resource servers use the package's index.
export { type FetchJsonOptions, type FetchLike, fetchJson } from './fetch-json.js';
export { isHeaderName } from './header-name.js';
export { Lru } from './lru.js';
