import { useCallback, useState } from 'react';
import { storageApiRef, useApi } from '@backstage/core-plugin-api';

/** The optional columns of the hub table (the model column is always shown). */
export const HUB_COLUMNS = {
  tier: 'Tier',
  owner: 'Owner',
  lifecycle: 'Lifecycle',
  license: 'License',
  activity: 'Last activity',
} as const;

/** An optional column of the hub table. */
export type HubColumn = keyof typeof HUB_COLUMNS;

const ALL = Object.keys(HUB_COLUMNS) as HubColumn[];
const KEY = 'hubColumns';

/**
 * The columns this user chose for the hub table, remembered per user in
 * Backstage's storage API (bucket `model-hub`), and a setter.
 */
export function useHubColumns(): [HubColumn[], (columns: HubColumn[]) => void] {
  const bucket = useApi(storageApiRef).forBucket('model-hub');
  const [columns, setState] = useState<HubColumn[]>(() => {
    const stored = bucket.snapshot<string[]>(KEY).value;
    return Array.isArray(stored) ? ALL.filter(c => stored.includes(c)) : ALL;
  });
  const setColumns = useCallback(
    (next: HubColumn[]) => {
      const ordered = ALL.filter(c => next.includes(c));
      setState(ordered);
      void bucket.set(KEY, ordered);
    },
    [bucket],
  );
  return [columns, setColumns];
}
