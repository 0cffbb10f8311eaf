// A list read page by page through the admin API's `Link: <…>; rel="next"` (RFC 8288): the first page
// for the current filters, then "more" appends the next one; changing a filter starts again.
import { useCallback, useEffect, useState } from 'preact/hooks';
import { nextPage } from '../api/client.js';

export interface Paged<T> {
  items: T[] | undefined;
  error: string | undefined;
  loading: boolean;
  /** True while the server has said there is a next page. */
  more: boolean;
  loadMore: () => Promise<void>;
  reload: () => Promise<void>;
}

/** `fetchPage(cursor)` reads one page (the cursor from the previous page's Link, or none). */
export function usePaged<T>(
  fetchPage: (cursor: string | undefined) => Promise<{ items: T[]; response: Response }>,
  deps: unknown[],
): Paged<T> {
  const [items, setItems] = useState<T[] | undefined>();
  const [cursor, setCursor] = useState<string | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [loading, setLoading] = useState(true);
  const read = async (after: string | undefined, append: boolean) => {
    setLoading(true);
    try {
      const page = await fetchPage(after);
      setItems((before) => (append && before ? [...before, ...page.items] : page.items));
      setCursor(nextPage(page.response)?.get('cursor') ?? undefined);
      setError(undefined);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setLoading(false);
    }
  };
  // The caller names what the first page depends on (its filters), as with useEffect.
  const reload = useCallback(() => read(undefined, false), deps);
  useEffect(() => {
    void reload();
  }, [reload]);
  return {
    items,
    error,
    loading,
    more: cursor !== undefined,
    loadMore: () => read(cursor, true),
    reload,
  };
}
