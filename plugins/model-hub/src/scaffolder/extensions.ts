import { createScaffolderFieldExtension } from '@backstage/plugin-scaffolder-react';
import { modelHubPlugin } from '../plugin';
import {
  ModelHubLicensePicker,
  ModelHubLicensePickerUiOptions,
  modelHubLicensePickerValidation,
} from './ModelHubLicensePicker';
import {
  ModelHubSimilarModels,
  ModelHubSimilarModelsUiOptions,
} from './ModelHubSimilarModels';
import {
  ModelHubStewardPicker,
  ModelHubStewardPickerUiOptions,
  modelHubStewardPickerValidation,
} from './ModelHubStewardPicker';

/**
 * Scaffolder field `ui:field: ModelHubSimilarModels`: read-only list of
 * existing models resembling the one being registered. Value: the refs shown.
 */
export const ModelHubSimilarModelsFieldExtension = modelHubPlugin.provide(
  createScaffolderFieldExtension<string[], ModelHubSimilarModelsUiOptions>({
    name: 'ModelHubSimilarModels',
    component: ModelHubSimilarModels,
    schema: {
      returnValue: { type: 'array', items: { type: 'string' } },
    },
  }),
);

/**
 * Scaffolder field `ui:field: ModelHubLicensePicker`: an SPDX license
 * expression, checked as you type and on submit, with suggestions.
 */
export const ModelHubLicensePickerFieldExtension = modelHubPlugin.provide(
  createScaffolderFieldExtension<string, ModelHubLicensePickerUiOptions>({
    name: 'ModelHubLicensePicker',
    component: ModelHubLicensePicker,
    validation: modelHubLicensePickerValidation,
    schema: {
      returnValue: { type: 'string' },
      uiOptions: {
        type: 'object',
        properties: {
          suggestions: {
            type: 'array',
            items: { type: 'string' },
            description: 'License ids offered as suggestions.',
          },
        },
      },
    },
  }),
);

/**
 * Scaffolder field `ui:field: ModelHubStewardPicker`: a member of the owner
 * group chosen in the same form (`ui:options.ownerField`, default `owner`).
 */
export const ModelHubStewardPickerFieldExtension = modelHubPlugin.provide(
  createScaffolderFieldExtension<string, ModelHubStewardPickerUiOptions>({
    name: 'ModelHubStewardPicker',
    component: ModelHubStewardPicker,
    validation: modelHubStewardPickerValidation,
    schema: {
      returnValue: { type: 'string' },
      uiOptions: {
        type: 'object',
        properties: {
          ownerField: {
            type: 'string',
            description:
              'Form field holding the owner group ref (default: owner).',
          },
        },
      },
    },
  }),
);
