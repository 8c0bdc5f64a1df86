export * from './permissions';
export * from './stewardship';
