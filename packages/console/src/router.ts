// A small history router under /console/: links are real <a href>s, a click is handled in place,
// and every route change moves focus to the new page's heading (for keyboards and screen readers).
import { useEffect, useState } from 'preact/hooks';

export const BASE = '/console/';

export function navigate(to: string): void {
  window.history.pushState(null, '', to);
  window.dispatchEvent(new PopStateEvent('popstate'));
}

export function usePath(): string {
  const [path, setPath] = useState(window.location.pathname);
  useEffect(() => {
    const on = () => setPath(window.location.pathname);
    window.addEventListener('popstate', on);
    return () => window.removeEventListener('popstate', on);
  }, []);
  return path;
}

/** Handles clicks on same-origin console links without a reload (modifier clicks open tabs as usual). */
export function interceptLinks(event: MouseEvent): void {
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey)
    return;
  const a = (event.target as Element | null)?.closest?.('a');
  if (!a || a.origin !== window.location.origin || !a.pathname.startsWith(BASE) || a.target) return;
  event.preventDefault();
  navigate(a.pathname + a.search);
}
