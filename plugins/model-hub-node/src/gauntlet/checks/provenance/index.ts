export {
  PII_APPROVAL_ANNOTATION,
  PII_CLASSES_NEEDING_APPROVAL,
  parsePiiApproval,
  provenanceCheck,
} from './provenanceCheck';
export type { PiiApproval } from './provenanceCheck';
export { readGovernanceGroup, verifyPiiApprover } from './piiApprover';
