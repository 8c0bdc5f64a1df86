export { VersionSelect } from './VersionSelect';
export { useModelVersions } from './useModelVersions';
export { useQueryState } from './useQueryState';
export { ModelVersionsInfoCard } from './ModelVersionsInfoCard';
