/**
 * Model lifecycle kept by the hub: deprecations of any model, which the
 * catalog overlays on the entity, and their HTTP API.
 */
export { DeprecationStore } from './DeprecationStore';
export { createLifecycleRouter } from './router';
export type { LifecycleRouterOptions } from './router';
export {
  followCatalog,
  showsDeprecation,
  showsNoDeprecation,
} from './followCatalog';
export type { FollowCatalogOptions } from './followCatalog';
