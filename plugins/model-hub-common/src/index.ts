/**
 * Shared model of Model Hub: the `Model` entity kind, its vocabularies,
 * scan result types, permissions and the typed HTTP API contract.
 *
 * @packageDocumentation
 */
export * from './entity';
export * from './scan';
export * from './api';
export * from './permissions';
export * from './gauntlet';
export * from './compare';
export * from './hf';
export * from './ingestion';
