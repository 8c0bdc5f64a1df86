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
