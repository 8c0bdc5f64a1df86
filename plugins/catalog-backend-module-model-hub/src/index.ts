/**
 * Catalog backend module for the Model Hub: the `Model` entity kind, the
 * dataset convention and their relations.
 *
 * @packageDocumentation
 */
export { catalogModuleModelHub as default } from './module';
export { ModelEntityProcessor } from './processor';
