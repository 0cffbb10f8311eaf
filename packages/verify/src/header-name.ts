// Comparing an HTTP header name case-insensitively without allocating (the adapters' rawHeaders scans).

/** True for `name` spelled as `lower` in any case, with no allocation. @see RFC 9110 §5.1 */
export function isHeaderName(name: string, lower: string): boolean {
  if (name === lower) return true;
  if (name.length !== lower.length) return false;
  for (let i = 0; i < lower.length; i++) {
    // Header names are tokens: OR-ing 0x20 lowers a letter and leaves "-" as it is.
    if ((name.charCodeAt(i) | 0x20) !== lower.charCodeAt(i)) return false;
  }
  return true;
}
