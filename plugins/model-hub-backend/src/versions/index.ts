export { VersionStore } from './VersionStore';
export type { NewVersionFile } from './VersionDrafts';
export { ModelVersionService } from './ModelVersionService';
export {
  assertValidAlias,
  assertValidFilePath,
  assertValidVersion,
} from './validation';
