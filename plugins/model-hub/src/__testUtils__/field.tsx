import { ComponentType } from 'react';
import { TestApiProvider, renderInTestApp } from '@backstage/test-utils';
import { catalogApiRef, entityRouteRef } from '@backstage/plugin-catalog-react';
import { CatalogApi } from '@backstage/catalog-client';
import { FieldExtensionComponentProps } from '@backstage/plugin-scaffolder-react';
import { ModelHubApi, modelHubApiRef } from '../api';
import { FakeModelHubApi } from './fixtures';

/**
 * Renders a scaffolder field extension component the way the scaffolder's
 * form does: with its schema, ui:options, value and the whole form's data
 * in `formContext.formData`. Returns the `onChange` mock.
 */
export async function renderField<T, O extends Record<string, unknown>>(
  Component: ComponentType<FieldExtensionComponentProps<T, O>>,
  options: {
    catalogApi: CatalogApi;
    modelHubApi?: ModelHubApi;
    formData?: T;
    formContextData?: Record<string, unknown>;
    schema?: Record<string, unknown>;
    uiOptions?: O;
    rawErrors?: string[];
    required?: boolean;
  },
) {
  const onChange = jest.fn();
  const props = {
    name: 'field',
    idSchema: { $id: 'root_field' },
    schema: options.schema ?? {},
    uiSchema: { 'ui:options': options.uiOptions ?? {} },
    formData: options.formData,
    formContext: { formData: options.formContextData ?? {} },
    onChange,
    onBlur: jest.fn(),
    onFocus: jest.fn(),
    rawErrors: options.rawErrors ?? [],
    required: options.required ?? false,
    disabled: false,
    readonly: false,
    registry: {},
  } as unknown as FieldExtensionComponentProps<T, O>;
  const result = await renderInTestApp(
    <TestApiProvider
      apis={[
        [catalogApiRef, options.catalogApi],
        [modelHubApiRef, options.modelHubApi ?? new FakeModelHubApi()],
      ]}
    >
      <Component {...props} />
    </TestApiProvider>,
    { mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef } },
  );
  return { ...result, onChange, props };
}
