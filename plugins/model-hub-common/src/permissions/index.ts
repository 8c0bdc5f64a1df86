export * from './permissions';
export * from './ingestion';
export * from './stewardship';
