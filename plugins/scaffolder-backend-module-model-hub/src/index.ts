/**
 * Scaffolder actions of the Model Hub: registering a model, publishing a
 * version, requesting a promotion and deprecating a model from templates.
 *
 * @packageDocumentation
 */
export { scaffolderModuleModelHub as default } from './module';
export { scaffolderModuleModelHub } from './module';
export * from './actions';
export {
  MODEL_HUB_PLUGIN_ID,
  ModelHubClient,
  ModelHubResponseError,
} from './client/ModelHubClient';
export type {
  ModelHubCallOptions,
  ModelHubClientOptions,
  ModelHubUploadBody,
} from './client/ModelHubClient';
