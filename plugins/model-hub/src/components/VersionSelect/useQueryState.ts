import { useCallback } from 'react';
import { useSearchParams } from 'react-router-dom';

/**
 * The page's query parameters and a setter that merges new values into the
 * URL without a history entry, so a view (version, pair) can be shared.
 */
export function useQueryState(): [
  URLSearchParams,
  (values: Record<string, string>) => void,
] {
  const [params, setParams] = useSearchParams();
  const set = useCallback(
    (values: Record<string, string>) =>
      setParams(
        p => {
          for (const [k, v] of Object.entries(values)) p.set(k, v);
          return p;
        },
        { replace: true },
      ),
    [setParams],
  );
  return [params, set];
}
