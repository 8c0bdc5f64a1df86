export * from './repoId';
