import { createFormField } from '@backstage/plugin-scaffolder-react/alpha';
import {
  ModelHubLicensePicker,
  modelHubLicensePickerValidation,
} from './ModelHubLicensePicker';
import { ModelHubSimilarModels } from './ModelHubSimilarModels';
import {
  ModelHubStewardPicker,
  modelHubStewardPickerValidation,
} from './ModelHubStewardPicker';

/** `ModelHubSimilarModels` as a form field of the new frontend system. */
export const similarModelsFormField = createFormField({
  name: 'ModelHubSimilarModels',
  component: ModelHubSimilarModels,
});

/** `ModelHubLicensePicker` as a form field of the new frontend system. */
export const licensePickerFormField = createFormField({
  name: 'ModelHubLicensePicker',
  component: ModelHubLicensePicker,
  validation: modelHubLicensePickerValidation,
});

/** `ModelHubStewardPicker` as a form field of the new frontend system. */
export const stewardPickerFormField = createFormField({
  name: 'ModelHubStewardPicker',
  component: ModelHubStewardPicker,
  validation: modelHubStewardPickerValidation,
});
