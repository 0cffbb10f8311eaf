// The path of a request URL, for log lines and route lookups: the query (which can carry codes,
// tokens or hints) never reaches a log, and the error handler matches routes by path alone.

/** The path of a request URL, without its query. */
export function pathOf(url: string): string {
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}
