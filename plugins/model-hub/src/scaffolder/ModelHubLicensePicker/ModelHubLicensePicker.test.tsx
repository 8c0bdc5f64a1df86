import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { mockCatalogApi } from '../../__testUtils__/render';
import { renderField } from '../../__testUtils__/field';
import {
  ModelHubLicensePicker,
  licenseExpressionError,
  modelHubLicensePickerValidation,
} from './ModelHubLicensePicker';

function validationFor(value: string | undefined) {
  const errors: string[] = [];
  const validation = { addError: (e: string) => errors.push(e) };
  modelHubLicensePickerValidation(value as string, validation as any, {
    apiHolder: { get: () => undefined },
    formData: {},
    schema: {},
  });
  return errors;
}

describe('ModelHubLicensePicker', () => {
  it('accepts SPDX expressions and LicenseRef terms and rejects broken ones', () => {
    expect(licenseExpressionError('Apache-2.0')).toBeUndefined();
    expect(licenseExpressionError('MIT OR Apache-2.0')).toBeUndefined();
    expect(
      licenseExpressionError('LicenseRef-example-internal'),
    ).toBeUndefined();
    expect(licenseExpressionError('MIT OR')).toMatch(
      /^Not a valid SPDX license expression: /,
    );
    expect(licenseExpressionError('')).toBeUndefined();
  });

  it('blocks submitting an invalid expression', () => {
    expect(validationFor('Apache-2.0 AND')).toHaveLength(1);
    expect(validationFor('Apache-2.0')).toEqual([]);
    expect(validationFor(undefined)).toEqual([]);
  });

  it('shows the parse error under the field as the value is typed', async () => {
    await renderField(ModelHubLicensePicker, {
      catalogApi: mockCatalogApi(),
      schema: { title: 'License' },
      formData: 'MIT AND (Apache-2.0',
    });
    expect(screen.getByRole('textbox', { name: 'License' })).toHaveValue(
      'MIT AND (Apache-2.0',
    );
    expect(
      screen.getByText(/^Not a valid SPDX license expression: /),
    ).toBeInTheDocument();
  });

  it('suggests common licenses and stores the chosen one', async () => {
    const { onChange } = await renderField(ModelHubLicensePicker, {
      catalogApi: mockCatalogApi(),
      schema: { title: 'License' },
    });
    await userEvent.type(
      screen.getByRole('textbox', { name: 'License' }),
      'Apa',
    );
    await userEvent.click(
      await screen.findByRole('option', { name: 'Apache-2.0' }),
    );
    expect(onChange).toHaveBeenLastCalledWith('Apache-2.0');
  });

  it('offers the suggestions given in ui:options', async () => {
    await renderField(ModelHubLicensePicker, {
      catalogApi: mockCatalogApi(),
      schema: { title: 'License' },
      uiOptions: { suggestions: ['LicenseRef-acme-model'] },
    });
    await userEvent.click(screen.getByRole('textbox', { name: 'License' }));
    expect(
      await screen.findByRole('option', { name: 'LicenseRef-acme-model' }),
    ).toBeInTheDocument();
    expect(screen.queryByRole('option', { name: 'MIT' })).toBeNull();
  });
});
