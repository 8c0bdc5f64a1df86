export {
  ModelHubLicensePicker,
  modelHubLicensePickerValidation,
  licenseExpressionError,
  DEFAULT_LICENSE_SUGGESTIONS,
} from './ModelHubLicensePicker';
export type { ModelHubLicensePickerUiOptions } from './ModelHubLicensePicker';
