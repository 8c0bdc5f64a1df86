import {
  createApiFactory,
  createComponentExtension,
  createPlugin,
  createRoutableExtension,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/core-plugin-api';
import { createCardExtension } from '@backstage/plugin-home-react';
import {
  AccessTokensClient,
  accessTokensApiRef,
  ModelHubClient,
  modelHubApiRef,
  UsageClient,
  ImportClient,
  importApiRef,
  usageApiRef,
  AdminClient,
  adminApiRef,
  ingestionApiRef,
  IngestionClient,
} from './api';
import {
  auditRouteRef,
  reuseRouteRef,
  rootRouteRef,
  tokensRouteRef,
} from './routes';

/** The Model Hub front-end plugin (legacy frontend system). */
export const modelHubPlugin = createPlugin({
  id: 'model-hub',
  apis: [
    createApiFactory({
      api: modelHubApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new ModelHubClient({ discoveryApi, fetchApi }),
    }),
    createApiFactory({
      api: accessTokensApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new AccessTokensClient({ discoveryApi, fetchApi }),
    }),
    createApiFactory({
      api: usageApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new UsageClient({ discoveryApi, fetchApi }),
    }),
    createApiFactory({
      api: ingestionApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new IngestionClient({ discoveryApi, fetchApi }),
    }),
    createApiFactory({
      api: importApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new ImportClient({ discoveryApi, fetchApi }),
    }),
    createApiFactory({
      api: adminApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new AdminClient({ discoveryApi, fetchApi }),
    }),
  ],
  routes: {
    root: rootRouteRef,
    tokens: tokensRouteRef,
    reuse: reuseRouteRef,
    audit: auditRouteRef,
  },
});

/** The personal access tokens page. Mount at `/model-hub/tokens`. */
export const ModelHubTokensPage = modelHubPlugin.provide(
  createRoutableExtension({
    name: 'ModelHubTokensPage',
    component: () =>
      import('./components/AccessTokensPage').then(m => m.AccessTokensPage),
    mountPoint: tokensRouteRef,
  }),
);

/** The personal access tokens card, e.g. for a tab of the user settings page. */
export const ModelHubAccessTokensCard = modelHubPlugin.provide(
  createComponentExtension({
    name: 'ModelHubAccessTokensCard',
    component: {
      lazy: () =>
        import('./components/AccessTokensCard').then(m => m.AccessTokensCard),
    },
  }),
);

/** The hub page: search, filter and browse models. Mount at `/model-hub`. */
export const ModelHubPage = modelHubPlugin.provide(
  createRoutableExtension({
    name: 'ModelHubPage',
    component: () =>
      import('./components/ModelHubPage').then(m => m.ModelHubPage),
    mountPoint: rootRouteRef,
  }),
);

/** Model entity card: the model card (purpose, uses, limitations, license, lineage, metrics). */
export const EntityModelCard = modelHubPlugin.provide(
  createComponentExtension({
    name: 'EntityModelCard',
    component: {
      lazy: () =>
        import('./components/EntityModelCard').then(m => m.EntityModelCard),
    },
  }),
);

/** Model entity card: versions, aliases, files with sizes, SHA-256 and scan verdicts. */
export const EntityModelVersionsCard = modelHubPlugin.provide(
  createComponentExtension({
    name: 'EntityModelVersionsCard',
    component: {
      lazy: () =>
        import('./components/EntityModelVersionsCard').then(
          m => m.EntityModelVersionsCard,
        ),
    },
  }),
);

/** Model entity card: compliance gauntlet results (honest empty state until the API exists). */
export const EntityModelGauntletCard = modelHubPlugin.provide(
  createComponentExtension({
    name: 'EntityModelGauntletCard',
    component: {
      lazy: () =>
        import('./components/EntityModelGauntletCard').then(
          m => m.EntityModelGauntletCard,
        ),
    },
  }),
);

/** Model entity card: base model, training data and consumers. */
export const EntityModelLineageCard = modelHubPlugin.provide(
  createComponentExtension({
    name: 'EntityModelLineageCard',
    component: {
      lazy: () =>
        import('./components/EntityModelLineageCard').then(
          m => m.EntityModelLineageCard,
        ),
    },
  }),
);

/** Model entity card: "use this model" with the pull and curl commands. */
export const EntityUseModelCard = modelHubPlugin.provide(
  createComponentExtension({
    name: 'EntityUseModelCard',
    component: {
      lazy: () =>
        import('./components/EntityUseModelCard').then(
          m => m.EntityUseModelCard,
        ),
    },
  }),
);

/** Banner on deprecated models naming the successor; renders nothing otherwise. */
export const EntityModelDeprecationBanner = modelHubPlugin.provide(
  createComponentExtension({
    name: 'EntityModelDeprecationBanner',
    component: {
      lazy: () =>
        import('./components/EntityModelDeprecationBanner').then(
          m => m.EntityModelDeprecationBanner,
        ),
    },
  }),
);

/** The ingestion sources (state, last sync, counts, errors) with "Sync now" for those allowed. */
export const IngestionSourcesCard = modelHubPlugin.provide(
  createComponentExtension({
    name: 'IngestionSourcesCard',
    component: {
      lazy: () =>
        import('./components/IngestionSourcesCard').then(
          m => m.IngestionSourcesCard,
        ),
    },
  }),
);

/** "Changed upstream" notice on an ingested model whose source changed; renders nothing otherwise. */
export const EntityModelUpstreamDriftBanner = modelHubPlugin.provide(
  createComponentExtension({
    name: 'EntityModelUpstreamDriftBanner',
    component: {
      lazy: () =>
        import('./components/EntityModelUpstreamDriftBanner').then(
          m => m.EntityModelUpstreamDriftBanner,
        ),
    },
  }),
);

/** The tier badge and lifecycle of the current model, for the top of its overview. */
export const EntityModelHeaderTierBadge = modelHubPlugin.provide(
  createComponentExtension({
    name: 'EntityModelHeaderTierBadge',
    component: {
      lazy: () =>
        import('./components/EntityModelHeaderTierBadge').then(
          m => m.EntityModelHeaderTierBadge,
        ),
    },
  }),
);

/** Model entity card: the entities that consume the model. */
export const EntityModelConsumersCard = modelHubPlugin.provide(
  createComponentExtension({
    name: 'EntityModelConsumersCard',
    component: {
      lazy: () =>
        import('./components/EntityModelConsumersCard').then(
          m => m.EntityModelConsumersCard,
        ),
    },
  }),
);

/** Component entity card: the models a service uses, with tiers and deprecations. */
export const EntityModelsUsedCard = modelHubPlugin.provide(
  createComponentExtension({
    name: 'EntityModelsUsedCard',
    component: {
      lazy: () =>
        import('./components/EntityModelsUsedCard').then(
          m => m.EntityModelsUsedCard,
        ),
    },
  }),
);

/** Group entity card: the team's open stewardship tasks. */
export const EntityTeamStewardshipCard = modelHubPlugin.provide(
  createComponentExtension({
    name: 'EntityTeamStewardshipCard',
    component: {
      lazy: () =>
        import('./components/EntityTeamStewardshipCard').then(
          m => m.EntityTeamStewardshipCard,
        ),
    },
  }),
);

/** The reuse leaderboard: most reused models and teams. Mount at `/model-hub/reuse`. */
export const ModelHubReusePage = modelHubPlugin.provide(
  createRoutableExtension({
    name: 'ModelHubReusePage',
    component: () =>
      import('./components/ReuseLeaderboardPage').then(
        m => m.ReuseLeaderboardPage,
      ),
    mountPoint: reuseRouteRef,
  }),
);

/**
 * Home page card (`@backstage/plugin-home`): the most reused models and the
 * teams whose models the most other teams build on, 30 days or all time.
 */
export const HomePageMostReusedModels = modelHubPlugin.provide(
  createCardExtension<{ models?: number; teams?: number }>({
    name: 'HomePageMostReusedModels',
    title: 'Most reused models',
    components: () =>
      import('./components/MostReusedModelsCard/MostReusedModelsCard'),
  }),
);

/** Model entity card: pulls, users, teams, cross-team reuse, 90-day sparkline, declared consumers. */
export const EntityModelUsageCard = modelHubPlugin.provide(
  createComponentExtension({
    name: 'EntityModelUsageCard',
    component: {
      lazy: () =>
        import('./components/EntityModelUsageCard').then(
          m => m.EntityModelUsageCard,
        ),
    },
  }),
);

/** Model entity card for ingested models: their imports into the hub and the "Import into the hub" button. */
export const EntityModelImportCard = modelHubPlugin.provide(
  createComponentExtension({
    name: 'EntityModelImportCard',
    component: {
      lazy: () =>
        import('./components/EntityModelImportCard').then(
          m => m.EntityModelImportCard,
        ),
    },
  }),
);

/** Model page badge: "used by N teams". */
export const EntityModelReuseBadge = modelHubPlugin.provide(
  createComponentExtension({
    name: 'EntityModelReuseBadge',
    component: {
      lazy: () =>
        import('./components/EntityModelUsageCard').then(
          m => m.EntityModelReuseBadge,
        ),
    },
  }),
);

/** Group entity card: the team's published models, their reuse and the team's rank. */
export const EntityTeamReuseCard = modelHubPlugin.provide(
  createComponentExtension({
    name: 'EntityTeamReuseCard',
    component: {
      lazy: () =>
        import('./components/EntityTeamReuseCard').then(
          m => m.EntityTeamReuseCard,
        ),
    },
  }),
);

/** Admin page: audit trail (filters, CSV export) and webhook deliveries. Mount at `/model-hub/audit`. */
export const ModelHubAuditPage = modelHubPlugin.provide(
  createRoutableExtension({
    name: 'ModelHubAuditPage',
    component: () => import('./components/AuditPage').then(m => m.AuditPage),
    mountPoint: auditRouteRef,
  }),
);

/** Model entity card: the version's README rendered as a sanitised model card. */
export const EntityModelReadmeCard = modelHubPlugin.provide(
  createComponentExtension({
    name: 'EntityModelReadmeCard',
    component: {
      lazy: () =>
        import('./components/ModelReadme').then(m => m.EntityModelReadmeCard),
    },
  }),
);

/** Model entity tab: one version's files with digests, verdicts and downloads. */
export const EntityModelFilesContent = modelHubPlugin.provide(
  createComponentExtension({
    name: 'EntityModelFilesContent',
    component: {
      lazy: () =>
        import('./components/ModelFiles').then(m => m.EntityModelFilesContent),
    },
  }),
);

/** Model entity tab: two versions compared (`?a=&b=`). */
export const EntityModelCompareContent = modelHubPlugin.provide(
  createComponentExtension({
    name: 'EntityModelCompareContent',
    component: {
      lazy: () =>
        import('./components/ModelCompare').then(
          m => m.EntityModelCompareContent,
        ),
    },
  }),
);

/** Model entity tab: metrics across versions and fairness per group as charts. */
export const EntityModelChartsContent = modelHubPlugin.provide(
  createComponentExtension({
    name: 'EntityModelChartsContent',
    component: {
      lazy: () =>
        import('./components/ModelCharts').then(
          m => m.EntityModelChartsContent,
        ),
    },
  }),
);

/** Model entity card: the model's stewardship tasks with their actions, and hub-side overrides. */
export const EntityModelStewardshipCard = modelHubPlugin.provide(
  createComponentExtension({
    name: 'EntityModelStewardshipCard',
    component: {
      lazy: () =>
        import('./components/EntityModelStewardshipCard').then(
          m => m.EntityModelStewardshipCard,
        ),
    },
  }),
);

/** Group or User entity card: owned models with tier badge, latest version and open task count. */
export const EntityTeamModelsCard = modelHubPlugin.provide(
  createComponentExtension({
    name: 'EntityTeamModelsCard',
    component: {
      lazy: () =>
        import('./components/EntityTeamModelsCard').then(
          m => m.EntityTeamModelsCard,
        ),
    },
  }),
);

/** Search result list item for `kind: Model` documents: tier, task, framework, licence, latest version, owner. */
export const ModelSearchResultListItem = modelHubPlugin.provide(
  createComponentExtension({
    name: 'ModelSearchResultListItem',
    component: {
      lazy: () =>
        import('./components/ModelSearchResultListItem').then(
          m => m.ModelSearchResultListItem,
        ),
    },
  }),
);
