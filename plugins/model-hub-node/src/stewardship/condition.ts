import { JsonObject } from '@backstage/types';
import {
  StewardshipCondition,
  StewardshipConditionKind,
  StewardshipSeverity,
} from './types';

/**
 * The dedup key of a condition: `kind|modelRef|assignee`, plus
 * `|discriminator` when given. Refs are expected in normalized (lowercase)
 * form, so the key is stable across evaluations.
 */
export function stewardshipDedupKey(
  kind: StewardshipConditionKind,
  modelRef: string,
  assignee: string,
  discriminator?: string,
): string {
  const parts: string[] = [kind, modelRef, assignee];
  if (discriminator !== undefined && discriminator !== '') {
    parts.push(discriminator);
  }
  return parts.join('|');
}

/** Everything of a condition but its dedup key, plus the key's discriminator. */
export interface ConditionParts {
  kind: StewardshipConditionKind;
  modelRef: string;
  assignee: string;
  severity: StewardshipSeverity;
  title: string;
  description: string;
  discriminator?: string;
  dueAt?: Date;
  details: JsonObject;
}

/** Assembles a {@link StewardshipCondition}, computing its dedup key. */
export function makeCondition(parts: ConditionParts): StewardshipCondition {
  const { discriminator, dueAt, ...rest } = parts;
  const condition: StewardshipCondition = {
    ...rest,
    dedupKey: stewardshipDedupKey(
      parts.kind,
      parts.modelRef,
      parts.assignee,
      discriminator,
    ),
  };
  if (dueAt) {
    condition.dueAt = dueAt;
  }
  return condition;
}
