export * from './metricDirection';
export * from './snapshot';
export * from './compareVersions';
