import { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';

/** Similar-models index settings (`modelHub.similar`). */
export interface SimilarConfig {
  /** How often (seconds) one replica re-reads the catalog's models and re-indexes the changed ones. */
  refreshSeconds: number;
}

/** The defaults of {@link SimilarConfig}, in one place. */
export const SIMILAR_DEFAULTS: SimilarConfig = { refreshSeconds: 60 };

/** Reads `modelHub.similar`. */
export function readSimilarConfig(config: Config): SimilarConfig {
  const value = config.getOptionalNumber('modelHub.similar.refreshSeconds');
  if (value === undefined) return SIMILAR_DEFAULTS;
  if (!(value >= 1)) {
    throw new InputError(
      `modelHub.similar.refreshSeconds must be at least 1, got ${value}`,
    );
  }
  return { refreshSeconds: value };
}
