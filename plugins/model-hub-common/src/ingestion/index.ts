export * from './annotations';
export * from './imports';
