/**
 * Model Hub backend plugin: model versions, the content-addressed artifact
 * store (local disk or S3), the compliance gauntlet, the stewardship engine
 * and the permission integration.
 *
 * @packageDocumentation
 */
export { modelHubPlugin as default } from './plugin';
export {
  createModelHubConditionalDecision,
  isModelOwner,
  modelHubConditions,
  modelHubModelPermissionRules,
  modelHubModelResourceRef,
  modelOwnerRef,
} from './permissions';
export type { ModelHubModelQuery } from './permissions';
export type {
  ArtifactStore,
  ByteRange,
  FileScanner,
  S3ArtifactStoreOptions,
} from './artifacts';
export { LocalArtifactStore, S3ArtifactStore, artifactKey } from './artifacts';
export { gauntletPolicyDecision } from './gauntlet';
export { importPolicyDecision } from './ingestImport';
export { stewardshipPolicyDecision } from './stewardship/permissions';
export {
  createModelResourceLoader,
  createRegistryRouter,
  HUB_WRITTEN_ANNOTATIONS,
  isManagedByHub,
  normalizeRegisteredEntity,
  partitionPermissions,
  RegisteredModelStore,
} from './registry';
export type { RegistryRouterOptions } from './registry';
export { createLifecycleRouter, DeprecationStore } from './lifecycle';
export type { LifecycleRouterOptions } from './lifecycle';
export {
  authModuleModelHubTokens,
  createModelHubHttpAuthServiceFactory,
  modelHubHttpAuthServiceFactory,
  modelHubUserTokenIssuerServiceRef,
} from './tokens';
export type { UserTokenIssuer } from './tokens';
export { hfDownloadRecorderServiceRef } from './hf';
export type { HfDownloadEvent, HfDownloadRecorder } from './hf';
export { createHubCatalog, hubCatalogServiceRef } from './service/hubCatalog';
export type { HubCatalog, HubCatalogOptions } from './service/hubCatalog';
