/**
 * The hub's model registry: models registered through the hub (not YAML in
 * a repository), their store and their HTTP API.
 */
export { RegisteredModelStore } from './RegisteredModelStore';
export {
  createRegistryRouter,
  HUB_WRITTEN_ANNOTATIONS,
  isManagedByHub,
  normalizeRegisteredEntity,
} from './router';
export type { RegistryRouterOptions } from './router';
export { createModelResourceLoader, partitionPermissions } from './resources';
export { ModelCardDeletion, MODEL_STATE_TABLES } from './ModelCardDeletion';
