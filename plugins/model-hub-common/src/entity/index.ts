/**
 * The Model entity kind and the dataset convention: types, JSON schemas,
 * validators, vocabularies, annotations and relation names.
 */
export * from './vocabulary';
export * from './spdx';
export type { EntityValidationResult } from './validation';
export * from './ModelEntityV1alpha1';
export * from './DatasetEntity';
export * from './refs';
export * from './similarity';
export * from './upstreamDrift';
