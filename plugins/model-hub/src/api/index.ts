export * from './ModelHubApi';
export { ModelHubClient, STEWARDSHIP_TASKS_PATH } from './ModelHubClient';
export * from './AccessTokensApi';
export { AccessTokensClient } from './AccessTokensClient';
export * from './UsageApi';
export { UsageClient } from './UsageClient';
export * from './AdminApi';
export { AdminClient } from './AdminClient';
