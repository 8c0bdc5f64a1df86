export { evaluateLicense, parseLicenseExpression } from './evaluateLicense';
export type {
  InheritedLicense,
  LicenseEvaluation,
  LicenseEvaluationInput,
  LicenseTermEvaluation,
  LicenseVerdict,
} from './evaluateLicense';
export {
  DEFAULT_LICENSE_POLICY,
  INTENDED_USES,
  readLicensePolicy,
} from './policy';
export type {
  IntendedUse,
  LicenseCategory,
  LicenseDecision,
  LicensePolicy,
  LicenseRefTerms,
} from './policy';
export {
  DEFAULT_LICENSE_USE_BY_TIER,
  collectInheritedLicenses,
  licenseCheck,
  readLicenseUse,
} from './licenseCheck';
