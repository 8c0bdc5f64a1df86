export {
  createModelHubConditionalDecision,
  isModelOwner,
  modelHubConditions,
  modelHubModelPermissionRules,
  modelHubModelResourceRef,
  modelOwnerRef,
} from './rules';
export type { ModelHubModelQuery } from './rules';
