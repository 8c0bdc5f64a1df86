import { RefObject, useEffect, useRef, useState } from 'react';

/** Width a chart has before (or without) a layout to measure, e.g. in jsdom. */
export const FALLBACK_CHART_WIDTH = 640;

/**
 * The width of the element behind the returned ref, following resizes.
 * Unlike recharts' ResponsiveContainer it never renders a chart 0 px wide:
 * without a measurable layout it keeps {@link FALLBACK_CHART_WIDTH}.
 */
export function useChartWidth<T extends HTMLElement>(): [RefObject<T>, number] {
  const ref = useRef<T>(null);
  const [width, setWidth] = useState(FALLBACK_CHART_WIDTH);
  useEffect(() => {
    const el = ref.current;
    if (!el) return undefined;
    const measure = () => {
      const w = Math.floor(el.getBoundingClientRect().width);
      if (w > 0) setWidth(w);
    };
    measure();
    if (typeof ResizeObserver === 'undefined') return undefined;
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    return () => observer.disconnect();
  }, []);
  return [ref, width];
}
