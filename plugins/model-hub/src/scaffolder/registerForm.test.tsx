import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Entity } from '@backstage/catalog-model';
import { TestApiProvider, renderInTestApp } from '@backstage/test-utils';
import { catalogApiRef, entityRouteRef } from '@backstage/plugin-catalog-react';
import {
  FieldExtensionComponentProps,
  SecretsContextProvider,
} from '@backstage/plugin-scaffolder-react';
import { Stepper } from '@backstage/plugin-scaffolder-react/alpha';
import TextField from '@material-ui/core/TextField';
import { findSimilarModels } from '@internal/plugin-model-hub-common';
import { modelHubApiRef } from '../api';
import { FakeModelHubApi, modelEntity } from '../__testUtils__/fixtures';
import { mockCatalogApi } from '../__testUtils__/render';
import {
  ModelHubLicensePicker,
  modelHubLicensePickerValidation,
} from './ModelHubLicensePicker';
import { ModelHubSimilarModels } from './ModelHubSimilarModels';
import {
  ModelHubStewardPicker,
  modelHubStewardPickerValidation,
} from './ModelHubStewardPicker';

// The three fields in the scaffolder's own wizard, with the pages of
// examples/templates/register-model that use them, so that what the fields
// read from the form (formContext.formData across pages) is what the
// scaffolder really passes. OwnerPicker belongs to the scaffolder plugin; a
// plain text field stands in for it.

function FakeOwnerPicker(props: FieldExtensionComponentProps<string>) {
  return (
    <TextField
      id={props.idSchema.$id}
      label={props.schema.title}
      value={props.formData ?? ''}
      onChange={e => props.onChange(e.target.value)}
    />
  );
}

const manifest = {
  title: 'Register a new model',
  steps: [
    {
      title: 'Identity',
      schema: {
        required: ['name'],
        properties: {
          name: {
            title: 'Name',
            type: 'string',
            pattern: '^[a-z0-9]+(-[a-z0-9]+)*$',
          },
          similarModels: {
            title: 'Similar models',
            type: 'array',
            items: { type: 'string' },
            'ui:field': 'ModelHubSimilarModels',
          },
        },
      },
    },
    {
      title: 'Ownership',
      schema: {
        required: ['owner', 'steward'],
        properties: {
          owner: { title: 'Owner', type: 'string', 'ui:field': 'OwnerPicker' },
          steward: {
            title: 'Steward',
            type: 'string',
            'ui:field': 'ModelHubStewardPicker',
          },
        },
      },
    },
    {
      title: 'Provenance',
      schema: {
        required: ['license'],
        properties: {
          license: {
            title: 'License',
            type: 'string',
            'ui:field': 'ModelHubLicensePicker',
          },
        },
      },
    },
  ],
};

const extensions = [
  { name: 'OwnerPicker', component: FakeOwnerPicker },
  { name: 'ModelHubSimilarModels', component: ModelHubSimilarModels },
  {
    name: 'ModelHubStewardPicker',
    component: ModelHubStewardPicker,
    validation: modelHubStewardPickerValidation,
  },
  {
    name: 'ModelHubLicensePicker',
    component: ModelHubLicensePicker,
    validation: modelHubLicensePickerValidation,
  },
];

const sophie: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'User',
  metadata: { name: 'sophie.laurent', namespace: 'default' },
  spec: { profile: { displayName: 'Sophie Laurent' } },
};

describe('the register-model wizard with the Model Hub fields', () => {
  beforeAll(() => {
    // jsdom has no scrolling; the wizard scrolls to the top on every page.
    window.scrollTo = jest.fn();
  });

  it('shows similar models while typing, offers the owner team as stewards, and blocks an invalid license', async () => {
    const sentiment = modelEntity('sentiment-classifier', {
      metadata: { title: 'Sentiment Classifier', tags: ['sentiment'] },
      spec: { task: 'text-classification', owner: 'marketing' },
    });
    // The hub ranks with the same scoring over its index; here over one model.
    const modelHubApi = new FakeModelHubApi();
    const findSimilar = jest.fn(async (request: object) => ({
      items: findSimilarModels(request, [sentiment]),
    }));
    modelHubApi.findSimilarModels = findSimilar;
    const catalogApi = mockCatalogApi({
      getEntities: jest.fn(async ({ filter }) => ({
        items:
          filter['relations.memberOf'] === 'group:default/marketing'
            ? [sophie]
            : [],
      })),
      getEntitiesByRefs: jest.fn(async ({ entityRefs }) => ({
        items: entityRefs.map((ref: string) =>
          ref === 'model:default/sentiment-classifier' ? sentiment : undefined,
        ),
      })),
    });
    const user = userEvent.setup({ delay: null });
    const onCreate = jest.fn(async () => {});
    await renderInTestApp(
      <TestApiProvider
        apis={[
          [catalogApiRef, catalogApi],
          [modelHubApiRef, modelHubApi],
        ]}
      >
        <SecretsContextProvider>
          <Stepper
            manifest={manifest as any}
            extensions={extensions}
            onCreate={onCreate}
          />
        </SecretsContextProvider>
      </TestApiProvider>,
      { mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef } },
    );

    // Identity: typing the name updates the similar models.
    await user.type(
      screen.getByRole('textbox', { name: /Name/ }),
      'review-sentiment',
    );
    const list = await screen.findByRole('list', { name: 'Similar models' });
    expect(within(list).getByRole('link')).toHaveTextContent(
      'Sentiment Classifier',
    );
    // The hub is asked once typing pauses, not on every keystroke.
    expect(findSimilar).toHaveBeenCalledTimes(1);
    expect(findSimilar).toHaveBeenCalledWith(
      expect.objectContaining({ name: 'review-sentiment' }),
    );
    await user.click(screen.getByRole('button', { name: 'Next' }));

    // Ownership: the steward picker waits for an owner, then lists its members.
    const steward = await screen.findByRole('textbox', { name: /Steward/ });
    expect(steward).toBeDisabled();
    await user.type(
      screen.getByRole('textbox', { name: 'Owner' }),
      'group:default/marketing',
    );
    await waitFor(() =>
      expect(screen.getByRole('textbox', { name: /Steward/ })).toBeEnabled(),
    );
    await user.click(screen.getByRole('textbox', { name: /Steward/ }));
    await user.click(
      await screen.findByRole('option', { name: 'Sophie Laurent' }),
    );
    await user.click(screen.getByRole('button', { name: 'Next' }));

    // Provenance: an invalid expression keeps the wizard on this page.
    const license = await screen.findByRole('textbox', { name: /License/ });
    await user.type(license, 'MIT OR');
    await user.click(screen.getByRole('button', { name: 'Review' }));
    expect(
      (await screen.findAllByText(/Not a valid SPDX license expression/))
        .length,
    ).toBeGreaterThan(0);
    expect(screen.queryByRole('button', { name: 'Create' })).toBeNull();

    await user.type(license, ' Apache-2.0');
    await user.click(screen.getByRole('button', { name: 'Review' }));
    await user.click(await screen.findByRole('button', { name: 'Create' }));
    expect(onCreate).toHaveBeenCalledWith(
      expect.objectContaining({
        name: 'review-sentiment',
        similarModels: ['model:default/sentiment-classifier'],
        owner: 'group:default/marketing',
        steward: 'user:default/sophie.laurent',
        license: 'MIT OR Apache-2.0',
      }),
    );
  }, 60_000);
});
