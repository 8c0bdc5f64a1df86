/*
 * The Model Hub portal back end: Backstage's catalog, scaffolder, search,
 * auth, permission, notifications and signals, plus the Model Hub plugins.
 */
import { createBackend } from '@backstage/backend-defaults';
import {
  authModuleModelHubTokens,
  modelHubHttpAuthServiceFactory,
} from '@internal/plugin-model-hub-backend';

const backend = createBackend();

// Serves the built front end (packages/app/dist) in production-like runs.
backend.add(import('@backstage/plugin-app-backend'));

// Auth: the guest provider signs people in locally (see README for real providers).
backend.add(import('@backstage/plugin-auth-backend'));
backend.add(import('@backstage/plugin-auth-backend-module-guest-provider'));

// Catalog, with the Model kind.
backend.add(import('@backstage/plugin-catalog-backend'));
backend.add(
  import('@backstage/plugin-catalog-backend-module-scaffolder-entity-model'),
);
backend.add(import('@backstage/plugin-catalog-backend-module-logs'));
if (process.env.MODEL_HUB_BENCH_WITHOUT_CATALOG_MODULE === '1') {
  // bench:scale's baseline portal: the Model kind accepted, nothing more.
  backend.add(import('./modules/benchModelKindOnly'));
} else {
  backend.add(import('@internal/plugin-catalog-backend-module-model-hub'));
}
// Read-only ingestion from MLflow / Hugging Face (modelHub.ingestion; off without config).
backend.add(
  import('@internal/plugin-catalog-backend-module-model-hub-ingestion'),
);

// Scaffolder.
backend.add(import('@backstage/plugin-scaffolder-backend'));
backend.add(
  import('@backstage/plugin-scaffolder-backend-module-notifications'),
);
backend.add(import('@backstage/plugin-scaffolder-backend-module-github'));
// Model Hub actions: register, publish-version, request-promotion, deprecate.
backend.add(import('@internal/plugin-scaffolder-backend-module-model-hub'));

// Permission framework with our policy module.
backend.add(import('@backstage/plugin-permission-backend'));
backend.add(import('./modules/permissionPolicy'));

// Search: Lunr (in memory) by default; the PostgreSQL engine takes over when
// the database is PostgreSQL (app-config.production.yaml).
backend.add(import('@backstage/plugin-search-backend'));
backend.add(import('@backstage/plugin-search-backend-module-pg'));
backend.add(import('@backstage/plugin-search-backend-module-catalog'));
// Models as models in search: tier, task, framework and licence fields.
backend.add(import('./modules/modelSearchDocuments'));

// Notifications and signals, user settings.
backend.add(import('@backstage/plugin-notifications-backend'));
backend.add(import('@backstage/plugin-signals-backend'));
backend.add(import('@backstage/plugin-user-settings-backend'));

// Model Hub.
backend.add(import('@internal/plugin-model-hub-backend'));
// Personal access tokens: the hub's http auth makes a token act as its owner
// (and keeps service principals read-only); the auth module issues the
// owner's Backstage token to the hub (auth.providers.model-hub-pat).
backend.add(modelHubHttpAuthServiceFactory);
backend.add(authModuleModelHubTokens);

backend.start();
