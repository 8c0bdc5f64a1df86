import {
  MODEL_HUB_ANNOTATIONS,
  ModelEntityV1alpha1,
  ModelLifecycle,
} from '@internal/plugin-model-hub-common';
import { StewardshipConfig } from './config';
import { addMonthsUtc, assertValidDate, DAY_MS, parseIsoDate } from './time';
import { ModelActivity } from './types';

/**
 * Where a model stands on the road to archiving:
 * `unknown`: no activity recorded at all, so staleness cannot be judged;
 * `active`: before the warning window; `warning`: inside it;
 * `stale`: at or past the archive instant.
 */
export type StalenessState = 'unknown' | 'active' | 'warning' | 'stale';

/** The staleness assessment of one model at one instant. */
export interface Staleness {
  /** See {@link StalenessState}. */
  state: StalenessState;
  /** Latest of the recorded activities and the `last-activity` annotation. */
  lastActivityAt?: Date;
  /** Which source {@link Staleness.lastActivityAt} came from. */
  lastActivitySource?:
    | 'lastVersionAt'
    | 'lastMetadataChangeAt'
    | 'lastPullAt'
    | 'annotation';
  /** `lastActivityAt` plus `staleAfterMonths` calendar months (UTC). */
  archiveAt?: Date;
  /** `archiveAt` minus `staleWarningDays` days: when the warning opens. */
  warnFrom?: Date;
  /** Set when the `modelhub.io/last-activity` annotation is present but unreadable. */
  invalidAnnotation?: string;
}

/**
 * Assesses staleness. Activity is the latest of `lastVersionAt`,
 * `lastMetadataChangeAt`, `lastPullAt` and the `modelhub.io/last-activity`
 * annotation (a floor). The model is stale exactly when
 * `now >= lastActivity + staleAfterMonths` (calendar months, UTC, day clamped
 * to the end of shorter months), and in the warning window when
 * `archiveAt - staleWarningDays * 24h <= now < archiveAt`.
 */
export function assessStaleness(
  model: ModelEntityV1alpha1,
  activity: ModelActivity | undefined,
  now: Date,
  config: Pick<StewardshipConfig, 'staleAfterMonths' | 'staleWarningDays'>,
): Staleness {
  assertValidDate(now, 'now');
  const candidates: Array<
    [NonNullable<Staleness['lastActivitySource']>, Date]
  > = [];
  for (const key of [
    'lastVersionAt',
    'lastMetadataChangeAt',
    'lastPullAt',
  ] as const) {
    const value = activity?.[key];
    if (value !== undefined) {
      assertValidDate(value, `activity.${key}`);
      candidates.push([key, value]);
    }
  }
  let invalidAnnotation: string | undefined;
  const annotation =
    model.metadata.annotations?.[MODEL_HUB_ANNOTATIONS.lastActivity];
  if (annotation !== undefined) {
    const parsed = parseIsoDate(annotation);
    if (parsed) {
      candidates.push(['annotation', parsed]);
    } else {
      invalidAnnotation = annotation;
    }
  }

  if (candidates.length === 0) {
    return { state: 'unknown', invalidAnnotation };
  }
  const [source, lastActivityAt] = candidates.reduce((a, b) =>
    b[1].getTime() > a[1].getTime() ? b : a,
  );
  const archiveAt = addMonthsUtc(lastActivityAt, config.staleAfterMonths);
  const warnFrom = new Date(
    archiveAt.getTime() - config.staleWarningDays * DAY_MS,
  );
  let state: StalenessState = 'active';
  if (now.getTime() >= archiveAt.getTime()) {
    state = 'stale';
  } else if (now.getTime() >= warnFrom.getTime()) {
    state = 'warning';
  }
  return {
    state,
    lastActivityAt,
    lastActivitySource: source,
    archiveAt,
    warnFrom,
    invalidAnnotation,
  };
}

/**
 * The lifecycle a model is treated as having: `archived` when declared so or
 * when stale (see {@link assessStaleness}), otherwise the declared
 * `spec.lifecycle`.
 */
export function effectiveLifecycle(
  model: ModelEntityV1alpha1,
  activity: ModelActivity | undefined,
  now: Date,
  config: Pick<StewardshipConfig, 'staleAfterMonths' | 'staleWarningDays'>,
): ModelLifecycle {
  if (model.spec.lifecycle === 'archived') {
    return 'archived';
  }
  return assessStaleness(model, activity, now, config).state === 'stale'
    ? 'archived'
    : model.spec.lifecycle;
}
