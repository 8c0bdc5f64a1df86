export * from './connections';
export * from './s3Access';
