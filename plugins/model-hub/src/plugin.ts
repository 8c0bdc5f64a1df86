import {
  createApiFactory,
  createComponentExtension,
  createPlugin,
  createRoutableExtension,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/core-plugin-api';
import {
  AccessTokensClient,
  accessTokensApiRef,
  ModelHubClient,
  modelHubApiRef,
} from './api';
import { rootRouteRef, tokensRouteRef } from './routes';

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
  ],
  routes: {
    root: rootRouteRef,
    tokens: tokensRouteRef,
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
