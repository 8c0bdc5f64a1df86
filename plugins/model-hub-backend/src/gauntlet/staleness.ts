import { GauntletRun } from './types';

/** Why the latest run is outdated, or undefined when it is current. */
export function staleness(
  last: GauntletRun | undefined,
  current: {
    checkVersions: Record<string, string>;
    configSha256: string;
    entitySha256: string;
    now: Date;
    maxAgeMs: number;
  },
): string | undefined {
  if (!last) return 'never checked';
  const changed = Object.entries(current.checkVersions)
    .filter(([id, v]) => last.checkVersions?.[id] !== v)
    .map(([id, v]) => `${id} ${last.checkVersions?.[id] ?? 'new'} -> ${v}`);
  if (changed.length > 0) return `check rules changed: ${changed.join(', ')}`;
  if (last.inputs?.configSha256 !== current.configSha256)
    return 'gauntlet policy (config) changed';
  if (last.inputs?.entitySha256 !== current.entitySha256)
    return 'model entity changed';
  const finished = last.finishedAt ? Date.parse(last.finishedAt) : 0;
  if (current.now.getTime() - finished > current.maxAgeMs) {
    return `results older than ${Math.round(
      current.maxAgeMs / 86_400_000,
    )} days`;
  }
  return undefined;
}
