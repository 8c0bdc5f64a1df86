import { createBackendModule } from '@backstage/backend-plugin-api';
import {
  catalogCollatorExtensionPoint,
  CatalogCollatorEntityTransformer,
  defaultCatalogCollatorEntityTransformer,
} from '@backstage/plugin-search-backend-module-catalog';
import { isModelEntity } from '@internal/plugin-model-hub-common';

const EFFECTIVE_TIER = 'modelhub.io/effective-tier';

const EMPTY_MODEL_FIELDS = {
  tier: '',
  tierEarned: false,
  task: '',
  framework: '',
  license: '',
};

const text = (value: unknown): string =>
  typeof value === 'string' ? value : '';

/**
 * Shapes catalog entities into search documents: Models get their tier
 * (earned in the gauntlet, else the one claimed), task, framework and
 * licence as fields of their own, so the search page can show them as
 * models and filter by them; every other entity keeps the default document
 * with those fields empty.
 */
export const modelHubSearchTransformer: CatalogCollatorEntityTransformer =
  entity => {
    const document = defaultCatalogCollatorEntityTransformer(entity);
    if (!isModelEntity(entity)) {
      // The in-memory (Lunr) engine takes its fields from the first document
      // it sees, so every document carries the model fields, empty here.
      return { ...document, ...EMPTY_MODEL_FIELDS };
    }
    const earned = text(entity.metadata.annotations?.[EFFECTIVE_TIER]);
    const claimed = text(entity.spec.tier);
    return {
      ...document,
      tier: earned || claimed,
      tierEarned: earned !== '',
      task: text(entity.spec.task),
      framework: text(entity.spec.framework),
      license: text(entity.spec.license),
    };
  };

/** Installs {@link modelHubSearchTransformer} into the catalog search collator. */
export const searchModuleModelHubDocuments = createBackendModule({
  pluginId: 'search',
  moduleId: 'model-hub-documents',
  register(env) {
    env.registerInit({
      deps: { collator: catalogCollatorExtensionPoint },
      async init({ collator }) {
        collator.setEntityTransformer(modelHubSearchTransformer);
      },
    });
  },
});

export default searchModuleModelHubDocuments;
