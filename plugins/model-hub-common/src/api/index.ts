export * from './types';
export * from './paths';
export * from './gauntlet';
export * from './registry';
export * from './stewardship';
export * from './tokens';
export * from './stewardshipActions';
