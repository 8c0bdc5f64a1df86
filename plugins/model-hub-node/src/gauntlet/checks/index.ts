/**
 * The security, provenance and performance checks of the gauntlet, and the
 * list of all five built-in checks in gate order.
 */
import { fairnessCheck } from '../fairness';
import { licenseCheck } from '../license';
import { GauntletCheck } from '../check';
import { performanceCheck } from './performance';
import { provenanceCheck } from './provenance';
import { securityCheck } from './security';

export * from './security';
export * from './provenance';
export * from './performance';
export { FileTooLargeError, readCheckFile } from './readFile';

/** The five built-in gauntlet checks: security, license, fairness, performance, provenance. */
export const builtinGauntletChecks: readonly GauntletCheck[] = [
  securityCheck,
  licenseCheck,
  fairnessCheck,
  performanceCheck,
  provenanceCheck,
];
