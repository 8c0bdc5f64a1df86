/**
 * Model Hub for the new frontend system: the plugin with its API, page and
 * entity cards and contents as extensions.
 *
 * @packageDocumentation
 */
import { Entity } from '@backstage/catalog-model';
import { discoveryApiRef, fetchApiRef } from '@backstage/core-plugin-api';
import {
  ApiBlueprint,
  PageBlueprint,
  createFrontendPlugin,
  createRouteRef,
} from '@backstage/frontend-plugin-api';
import {
  EntityCardBlueprint,
  EntityContentBlueprint,
} from '@backstage/plugin-catalog-react/alpha';
import { FormFieldBlueprint } from '@backstage/plugin-scaffolder-react/alpha';
import { ModelHubClient, modelHubApiRef } from './api';

const isKind = (kind: string) => (entity: Entity) =>
  entity.kind.toLocaleLowerCase('en-US') === kind;
const isModel = isKind('model');

/** Route of the hub page in the new frontend system. */
export const modelHubPageRouteRef = createRouteRef();

/** The Model Hub API client as an extension. */
export const modelHubApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: modelHubApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new ModelHubClient({ discoveryApi, fetchApi }),
    }),
});

/** The hub page at `/model-hub`. */
export const modelHubPage = PageBlueprint.make({
  params: {
    path: '/model-hub',
    title: 'Model Hub',
    routeRef: modelHubPageRouteRef,
    loader: () =>
      import('./components/ModelHubPage').then(m => <m.ModelHubPage />),
  },
});

/** Model overview card: tier, lifecycle and deprecation banner. */
export const modelHubTierEntityCard = EntityCardBlueprint.make({
  name: 'model-tier',
  params: {
    filter: isModel,
    type: 'info',
    loader: () =>
      import('./components').then(m => (
        <>
          <m.EntityModelHeaderTierBadge />
          <m.EntityModelDeprecationBanner />
          <m.EntityModelUpstreamDriftBanner />
        </>
      )),
  },
});

/** Model overview card: the model card. */
export const modelHubModelEntityCard = EntityCardBlueprint.make({
  name: 'model-card',
  params: {
    filter: isModel,
    loader: () => import('./components').then(m => <m.EntityModelCard />),
  },
});

/** Model overview card: the version's README (sanitised). */
export const modelHubReadmeEntityCard = EntityCardBlueprint.make({
  name: 'model-readme',
  params: {
    filter: isModel,
    loader: () => import('./components').then(m => <m.EntityModelReadmeCard />),
  },
});

/** Model overview card: how to pull the model. */
export const modelHubUseModelEntityCard = EntityCardBlueprint.make({
  name: 'use-model',
  params: {
    filter: isModel,
    loader: () => import('./components').then(m => <m.EntityUseModelCard />),
  },
});

/** Model overview card: lineage. */
export const modelHubLineageEntityCard = EntityCardBlueprint.make({
  name: 'model-lineage',
  params: {
    filter: isModel,
    loader: () =>
      import('./components').then(m => <m.EntityModelLineageCard />),
  },
});

/** Model overview card: consumers. */
export const modelHubConsumersEntityCard = EntityCardBlueprint.make({
  name: 'model-consumers',
  params: {
    filter: isModel,
    loader: () =>
      import('./components').then(m => <m.EntityModelConsumersCard />),
  },
});

/** Component overview card: models used by the service. */
export const modelHubModelsUsedEntityCard = EntityCardBlueprint.make({
  name: 'models-used',
  params: {
    filter: isKind('component'),
    loader: () => import('./components').then(m => <m.EntityModelsUsedCard />),
  },
});

/** Group overview card: stewardship tasks. */
export const modelHubStewardshipEntityCard = EntityCardBlueprint.make({
  name: 'stewardship',
  params: {
    filter: isKind('group'),
    loader: () =>
      import('./components').then(m => <m.EntityTeamStewardshipCard />),
  },
});

/** Model entity tab: versions. */
export const modelHubVersionsEntityContent = EntityContentBlueprint.make({
  name: 'versions',
  params: {
    path: '/versions',
    title: 'Versions',
    filter: isModel,
    loader: () =>
      import('./components').then(m => <m.EntityModelVersionsCard />),
  },
});

/** Model entity tab: compliance gauntlet. */
export const modelHubGauntletEntityContent = EntityContentBlueprint.make({
  name: 'gauntlet',
  params: {
    path: '/gauntlet',
    title: 'Gauntlet',
    filter: isModel,
    loader: () =>
      import('./components').then(m => <m.EntityModelGauntletCard />),
  },
});

/** Model entity tab: files of a version. */
export const modelHubFilesEntityContent = EntityContentBlueprint.make({
  name: 'files',
  params: {
    path: '/files',
    title: 'Files',
    filter: isModel,
    loader: () =>
      import('./components').then(m => <m.EntityModelFilesContent />),
  },
});

/** Model entity tab: compare two versions. */
export const modelHubCompareEntityContent = EntityContentBlueprint.make({
  name: 'compare',
  params: {
    path: '/compare',
    title: 'Compare',
    filter: isModel,
    loader: () =>
      import('./components').then(m => <m.EntityModelCompareContent />),
  },
});

/** Model entity tab: evaluations as charts. */
export const modelHubChartsEntityContent = EntityContentBlueprint.make({
  name: 'evaluations',
  params: {
    path: '/evaluations',
    title: 'Evaluations',
    filter: isModel,
    loader: () =>
      import('./components').then(m => <m.EntityModelChartsContent />),
  },
});

/** Scaffolder form field `ModelHubSimilarModels`: existing models like the one being registered. */
export const modelHubSimilarModelsFormField = FormFieldBlueprint.make({
  name: 'similar-models',
  params: {
    field: () =>
      import('./scaffolder/formFields').then(m => m.similarModelsFormField),
  },
});

/** Scaffolder form field `ModelHubLicensePicker`: an SPDX license expression. */
export const modelHubLicensePickerFormField = FormFieldBlueprint.make({
  name: 'license-picker',
  params: {
    field: () =>
      import('./scaffolder/formFields').then(m => m.licensePickerFormField),
  },
});

/** Scaffolder form field `ModelHubStewardPicker`: a member of the chosen owner group. */
export const modelHubStewardPickerFormField = FormFieldBlueprint.make({
  name: 'steward-picker',
  params: {
    field: () =>
      import('./scaffolder/formFields').then(m => m.stewardPickerFormField),
  },
});

/** The Model Hub plugin for the new frontend system. */
export default createFrontendPlugin({
  pluginId: 'model-hub',
  title: 'Model Hub',
  routes: { root: modelHubPageRouteRef },
  extensions: [
    modelHubApi,
    modelHubPage,
    modelHubTierEntityCard,
    modelHubModelEntityCard,
    modelHubReadmeEntityCard,
    modelHubUseModelEntityCard,
    modelHubLineageEntityCard,
    modelHubConsumersEntityCard,
    modelHubModelsUsedEntityCard,
    modelHubStewardshipEntityCard,
    modelHubVersionsEntityContent,
    modelHubGauntletEntityContent,
    modelHubFilesEntityContent,
    modelHubCompareEntityContent,
    modelHubChartsEntityContent,
    modelHubSimilarModelsFormField,
    modelHubLicensePickerFormField,
    modelHubStewardPickerFormField,
  ],
});
