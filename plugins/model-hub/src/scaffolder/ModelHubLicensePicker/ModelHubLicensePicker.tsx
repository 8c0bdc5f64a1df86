import {
  CustomFieldValidator,
  FieldExtensionComponentProps,
} from '@backstage/plugin-scaffolder-react';
import { checkSpdxExpression } from '@internal/plugin-model-hub-common';
import TextField from '@material-ui/core/TextField';
import Autocomplete from '@material-ui/lab/Autocomplete';

/** `ui:options` of the `ModelHubLicensePicker` field. */
export type ModelHubLicensePickerUiOptions = {
  /** License ids offered as suggestions instead of {@link DEFAULT_LICENSE_SUGGESTIONS}. */
  suggestions?: string[];
};

/**
 * License ids suggested by default: common SPDX identifiers for models,
 * code and data, and the `LicenseRef-` terms used by the example catalog.
 */
export const DEFAULT_LICENSE_SUGGESTIONS: readonly string[] = [
  'Apache-2.0',
  'MIT',
  'BSD-3-Clause',
  'BSD-2-Clause',
  'MPL-2.0',
  'GPL-3.0-only',
  'LGPL-3.0-only',
  'AGPL-3.0-only',
  'CC-BY-4.0',
  'CC-BY-SA-4.0',
  'CC-BY-NC-4.0',
  'CC0-1.0',
  'ODC-By-1.0',
  'LicenseRef-example-internal',
  'LicenseRef-example-proprietary',
  'LicenseRef-llama-3-community',
];

/** Why `value` is not an acceptable license expression, or `undefined`. */
export function licenseExpressionError(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  const problem = checkSpdxExpression(value);
  return problem
    ? `Not a valid SPDX license expression: ${problem}`
    : undefined;
}

/** Form validation of `ModelHubLicensePicker`: blocks submitting an invalid SPDX expression. */
export const modelHubLicensePickerValidation: CustomFieldValidator<string> = (
  value,
  validation,
) => {
  const error = licenseExpressionError(value);
  if (error) validation.addError(error);
};

/**
 * Scaffolder field: an SPDX license expression (e.g. `MIT OR Apache-2.0`,
 * `LicenseRef-example-internal`), checked as you type, with suggestions.
 */
export function ModelHubLicensePicker(
  props: FieldExtensionComponentProps<string, ModelHubLicensePickerUiOptions>,
) {
  const {
    formData,
    onChange,
    schema,
    uiSchema,
    required,
    disabled,
    readonly,
    rawErrors,
    idSchema,
  } = props;
  const suggestions =
    uiSchema?.['ui:options']?.suggestions ?? DEFAULT_LICENSE_SUGGESTIONS;
  const value = formData ?? '';
  const liveError = licenseExpressionError(value);
  const hasFormErrors = !!rawErrors && rawErrors.length > 0;
  return (
    <Autocomplete<string, false, false, true>
      id={idSchema?.$id}
      freeSolo
      options={[...suggestions]}
      inputValue={value}
      value={value}
      disabled={disabled || readonly}
      onInputChange={(_event, newValue) => onChange(newValue || undefined)}
      onChange={(_event, newValue) => onChange(newValue ?? undefined)}
      renderInput={params => (
        <TextField
          {...params}
          label={schema?.title ?? 'License'}
          required={required}
          margin="normal"
          error={!!liveError || hasFormErrors}
          helperText={
            liveError ??
            schema?.description ??
            'An SPDX license expression, e.g. Apache-2.0 or MIT OR Apache-2.0; custom terms as LicenseRef-<id>.'
          }
        />
      )}
    />
  );
}
