/*
 * The usage tables (raw pulls and their rollups) and the UTC days the
 * rollups are keyed by.
 */

/** Raw pull events (kept for the retention). */
export const PULLS = 'model_hub_usage_pulls';
/** Per model and puller: pulls and the last day. */
export const MODEL_USERS = 'model_hub_usage_model_users';
/** Per model and day: pulls and the owner then. */
export const MODEL_DAYS = 'model_hub_usage_model_days';
/** Per model and pulling team: pulls, owner and the last day. */
export const MODEL_TEAMS = 'model_hub_usage_model_teams';
/** The first time each team consumed each model. */
export const FIRSTS = 'model_hub_usage_first_consumers';

/** The UTC day of `date`, `YYYY-MM-DD`. */
export function utcDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** The UTC day `days` before the day of `date`. */
export function daysBefore(date: Date, days: number): string {
  return utcDay(new Date(date.getTime() - days * 86_400_000));
}
