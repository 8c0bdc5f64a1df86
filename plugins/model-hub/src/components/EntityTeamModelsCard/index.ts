export { EntityTeamModelsCard, latestVersion } from './EntityTeamModelsCard';
export type { EntityTeamModelsCardProps } from './EntityTeamModelsCard';
