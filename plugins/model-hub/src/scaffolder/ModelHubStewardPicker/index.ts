export {
  ModelHubStewardPicker,
  modelHubStewardPickerValidation,
  listGroupMembers,
  normalizeOwnerRef,
  userLabel,
} from './ModelHubStewardPicker';
export type { ModelHubStewardPickerUiOptions } from './ModelHubStewardPicker';
