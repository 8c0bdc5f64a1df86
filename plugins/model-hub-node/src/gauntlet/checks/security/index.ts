export {
  EXECUTABLE_WEIGHT_FORMATS,
  NON_EXECUTABLE_WEIGHT_FORMATS,
  readAdvisoryDirectory,
  securityCheck,
} from './securityCheck';
export { findAdvisories, loadAdvisoryDatabase } from './advisories';
export type { AdvisoryDatabase, AdvisoryMatch, OsvRecord } from './advisories';
export { isRequirementsFile, parseRequirements } from './requirements';
export type { ParsedRequirements, PythonRequirement } from './requirements';
export {
  comparePep440,
  comparePep440Strings,
  normalizePythonName,
  parsePep440,
} from './pep440';
export type { Pep440Version } from './pep440';
export {
  AdvisoryDatabaseCache,
  fingerprintAdvisoryDirectory,
  sharedAdvisoryCache,
} from './advisoryCache';
export {
  assessFileVerdicts,
  claimsWeightFormat,
  DEFAULT_UNRECOGNIZED_WEIGHT_BYTES,
  describeVerdicts,
  readUnrecognizedWeightBytes,
  WEIGHT_FILE_EXTENSIONS,
} from './fileVerdicts';
export type { FileVerdictAssessment } from './fileVerdicts';
export {
  ALLOWED_PIP_OPTIONS,
  findRequirementSources,
  redactUrls,
} from './requirementSources';
export type { RequirementSourceFinding } from './requirementSources';
