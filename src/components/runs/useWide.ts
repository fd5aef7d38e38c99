/** Whether the element has room for a table (a wide sidebar), followed as the user resizes it. */
import * as React from 'react';

/** Below this width (px) the candidates stay a compact list. */
export const TABLE_MIN_WIDTH = 640;

export function useWide(): [boolean, (node: HTMLElement | null) => void] {
  const [wide, setWide] = React.useState(false);
  const observer = React.useRef<ResizeObserver | null>(null);
  const measured = React.useCallback((node: HTMLElement | null) => {
    observer.current?.disconnect();
    observer.current = null;
    if (!node || typeof ResizeObserver === 'undefined') {
      return;
    }
    observer.current = new ResizeObserver(entries => {
      const width = entries[0]?.contentRect.width ?? 0;
      setWide(width >= TABLE_MIN_WIDTH);
    });
    observer.current.observe(node);
  }, []);
  return [wide, measured];
}
