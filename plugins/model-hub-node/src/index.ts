/**
 * Node-only building blocks of Model Hub shared by the backend and the CLI:
 * the model-file security scanner (and, later, the gauntlet check contract).
 *
 * @packageDocumentation
 */
export * from './scanner';
export * from './stewardship';
export * from './gauntlet';
export * from './transfer';
export * from './ingestion';
