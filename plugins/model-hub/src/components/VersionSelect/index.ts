export { VersionSelect } from './VersionSelect';
export { useModelVersions } from './useModelVersions';
