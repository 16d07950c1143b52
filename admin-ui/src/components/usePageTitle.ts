import { useEffect } from 'react';

/** The browser tab (and screen readers on navigation) name the screen. */
export function usePageTitle(title: string): void {
  useEffect(() => {
    document.title = `${title} · csdesk`;
  }, [title]);
}
