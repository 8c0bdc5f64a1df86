export * from './permissions';
export * from './ingestion';
