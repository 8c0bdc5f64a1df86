export { VersionStore } from './VersionStore';
export type { NewVersionFile } from './VersionStore';
export { ModelVersionService } from './ModelVersionService';
export {
  assertValidAlias,
  assertValidFilePath,
  assertValidVersion,
} from './validation';
