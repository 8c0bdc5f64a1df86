import { InputError } from '@backstage/errors';
import { z } from 'zod';

/*
 * The request bodies and path ids of the gauntlet's mutation routes.
 */

/** `POST …/promotion-requests`. */
export const promotionBody = z.object({
  tier: z.literal('official').default('official'),
  comment: z.string().max(10_000).optional(),
});
/** Approve, reject and withdraw. */
export const decisionBody = z
  .object({
    comment: z.string().max(10_000).optional(),
    /** The gauntlet run the approver reviewed; 409 when a newer one exists. */
    runId: z.number().int().positive().optional(),
  })
  .default({});
/** `POST …/waivers`. */
export const waiverBody = z.object({
  check: z.string().min(1),
  reason: z.string().trim().min(1).max(10_000),
  expiresAt: z.string().datetime({ offset: true }),
  version: z.string().min(1).optional(),
});

/** A promotion request or waiver id from the path; 400 unless a positive integer. */
export function parseId(raw: string, what: string): number {
  const id = Number(raw);
  if (!Number.isSafeInteger(id) || id <= 0) {
    throw new InputError(`Invalid ${what} id '${raw}'`);
  }
  return id;
}
