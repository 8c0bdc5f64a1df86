import type { Config } from '@backstage/config';
import { parseEntityRef } from '@backstage/catalog-model';
import { normalizeEntityRef } from './refs';

/** Settings of the stewardship rules (`modelHub.stewardship` in app-config). */
export interface StewardshipConfig {
  /** Group that receives the tasks of models nobody can act on (orphans). */
  governanceGroup: string;
  /** Calendar months without activity after which a model counts as archived. */
  staleAfterMonths: number;
  /** Days before archiving that a stale warning opens. */
  staleWarningDays: number;
  /** Days before a waiver's expiry that a renewal task opens. */
  waiverExpiryWindowDays: number;
  /**
   * Model card ("birth certificate") fields that must be filled in. A bare
   * name is looked up in `spec` first, then in `metadata` (so `description`
   * finds `metadata.description`); a dotted path such as
   * `spec.evaluation.dataset` is read from the entity root (keys that contain
   * dots, like most annotations, cannot be addressed).
   */
  requiredFields: string[];
}

/** The defaults of every stewardship setting, in one place. */
export const DEFAULT_STEWARDSHIP_CONFIG: Readonly<StewardshipConfig> =
  Object.freeze({
    governanceGroup: 'group:default/ai-governance',
    staleAfterMonths: 18,
    staleWarningDays: 30,
    waiverExpiryWindowDays: 30,
    requiredFields: Object.freeze([
      'description',
      'intendedUse',
      'license',
      'owner',
      'steward',
      'task',
      'limitations',
    ]) as string[],
  });

function checkInteger(
  key: string,
  value: number,
  min: number,
  max: number,
): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(
      `Invalid modelHub.stewardship.${key}: expected an integer from ${min} to ${max}, got ${JSON.stringify(
        value,
      )}`,
    );
  }
  return value;
}

/**
 * Fills in defaults for a partial stewardship config and validates it;
 * throws an `Error` naming the bad key.
 */
export function resolveStewardshipConfig(
  partial: Partial<StewardshipConfig> = {},
): StewardshipConfig {
  const merged = { ...DEFAULT_STEWARDSHIP_CONFIG, ...stripUndefined(partial) };

  let governanceGroup: string;
  try {
    governanceGroup = normalizeEntityRef(merged.governanceGroup, {
      defaultKind: 'group',
      defaultNamespace: 'default',
    });
  } catch (e) {
    throw new Error(
      `Invalid modelHub.stewardship.governanceGroup: ${(e as Error).message}`,
    );
  }
  if (parseEntityRef(governanceGroup).kind !== 'group') {
    throw new Error(
      `Invalid modelHub.stewardship.governanceGroup: expected a group ref, got ${JSON.stringify(
        merged.governanceGroup,
      )}`,
    );
  }

  if (
    !Array.isArray(merged.requiredFields) ||
    merged.requiredFields.some(
      f =>
        typeof f !== 'string' ||
        !/^[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*$/.test(f),
    )
  ) {
    throw new Error(
      `Invalid modelHub.stewardship.requiredFields: expected a list of field names or dotted paths, got ${JSON.stringify(
        merged.requiredFields,
      )}`,
    );
  }

  return {
    governanceGroup,
    staleAfterMonths: checkInteger(
      'staleAfterMonths',
      merged.staleAfterMonths,
      1,
      1200,
    ),
    staleWarningDays: checkInteger(
      'staleWarningDays',
      merged.staleWarningDays,
      0,
      3650,
    ),
    waiverExpiryWindowDays: checkInteger(
      'waiverExpiryWindowDays',
      merged.waiverExpiryWindowDays,
      0,
      3650,
    ),
    requiredFields: [...new Set(merged.requiredFields)],
  };
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(value).filter(([, v]) => v !== undefined),
  ) as Partial<T>;
}

/**
 * Reads `modelHub.stewardship` from app-config, applying
 * {@link DEFAULT_STEWARDSHIP_CONFIG} for missing keys. Throws on invalid values.
 */
export function readStewardshipConfig(config: Config): StewardshipConfig {
  const section = config.getOptionalConfig('modelHub.stewardship');
  if (!section) {
    return resolveStewardshipConfig();
  }
  return resolveStewardshipConfig({
    governanceGroup: section.getOptionalString('governanceGroup'),
    staleAfterMonths: section.getOptionalNumber('staleAfterMonths'),
    staleWarningDays: section.getOptionalNumber('staleWarningDays'),
    waiverExpiryWindowDays: section.getOptionalNumber('waiverExpiryWindowDays'),
    requiredFields: section.getOptionalStringArray('requiredFields'),
  });
}
