import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Entity } from '@backstage/catalog-model';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import { mockCatalogApi } from '../../__testUtils__/render';
import { renderField } from '../../__testUtils__/field';
import {
  ModelHubStewardPicker,
  modelHubStewardPickerValidation,
  normalizeOwnerRef,
} from './ModelHubStewardPicker';

function user(
  name: string,
  displayName: string,
  annotations: Record<string, string> = {},
): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'User',
    metadata: { name, namespace: 'default', annotations },
    spec: { profile: { displayName } },
  };
}

const members: Record<string, Entity[]> = {
  'group:default/marketing': [
    user('sophie.laurent', 'Sophie Laurent'),
    user('daniel.kim', 'Daniel Kim'),
    user('david.novak', 'David Novak', { 'modelhub.io/departed': 'true' }),
  ],
  'group:default/logistics': [user('kenji.watanabe', 'Kenji Watanabe')],
};

function catalog() {
  return mockCatalogApi({
    getEntities: jest.fn(async ({ filter }) => ({
      items: members[filter['relations.memberOf']] ?? [],
    })),
  });
}

async function validate(value: string, formData: Record<string, unknown>) {
  const errors: string[] = [];
  const catalogApi = catalog();
  await modelHubStewardPickerValidation(
    value,
    { addError: (e: string) => errors.push(e) } as any,
    {
      apiHolder: {
        get: (ref: { id: string }) =>
          ref.id === catalogApiRef.id ? catalogApi : undefined,
      } as any,
      formData: formData as any,
      schema: {},
    },
  );
  return errors;
}

describe('ModelHubStewardPicker', () => {
  it('is disabled with a hint until an owner is chosen', async () => {
    const catalogApi = catalog();
    await renderField(ModelHubStewardPicker, {
      catalogApi,
      schema: { title: 'Steward' },
    });
    expect(screen.getByRole('textbox', { name: 'Steward' })).toBeDisabled();
    expect(
      screen.getByText(
        'Choose the owner group first; the steward is one of its members.',
      ),
    ).toBeInTheDocument();
    expect(catalogApi.getEntities).not.toHaveBeenCalled();
  });

  it('lists the members of the chosen owner group and stores the user ref', async () => {
    const catalogApi = catalog();
    const { onChange } = await renderField(ModelHubStewardPicker, {
      catalogApi,
      schema: { title: 'Steward' },
      formContextData: { owner: 'group:default/Marketing' },
    });
    expect(catalogApi.getEntities).toHaveBeenCalledWith(
      expect.objectContaining({
        filter: {
          kind: 'User',
          'relations.memberOf': 'group:default/marketing',
        },
      }),
    );
    await userEvent.click(screen.getByRole('textbox', { name: 'Steward' }));
    const options = await screen.findAllByRole('option');
    expect(options.map(o => o.textContent)).toEqual([
      'Daniel Kim',
      'Sophie Laurent',
    ]);
    await userEvent.click(
      screen.getByRole('option', { name: 'Sophie Laurent' }),
    );
    expect(onChange).toHaveBeenLastCalledWith('user:default/sophie.laurent');
  });

  it('clears a steward who is not a member of the newly chosen owner', async () => {
    const { onChange } = await renderField(ModelHubStewardPicker, {
      catalogApi: catalog(),
      formData: 'user:default/sophie.laurent',
      formContextData: { owner: 'group:default/logistics' },
    });
    await waitFor(() => expect(onChange).toHaveBeenCalledWith(undefined));
  });

  it('reads the owner from the field named in ui:options', async () => {
    const catalogApi = catalog();
    await renderField(ModelHubStewardPicker, {
      catalogApi,
      schema: { title: 'Steward' },
      uiOptions: { ownerField: 'team' },
      formContextData: { team: 'logistics' },
    });
    await userEvent.click(screen.getByRole('textbox', { name: 'Steward' }));
    expect(
      await screen.findByRole('option', { name: 'Kenji Watanabe' }),
    ).toBeInTheDocument();
  });

  it('validates that the steward is a member of the owner group', async () => {
    expect(
      await validate('user:default/sophie.laurent', {
        owner: 'group:default/marketing',
      }),
    ).toEqual([]);
    expect(
      await validate('user:default/kenji.watanabe', {
        owner: 'group:default/marketing',
      }),
    ).toEqual([
      'user:default/kenji.watanabe is not a member of group:default/marketing; choose one of its members.',
    ]);
    expect(await validate('user:default/sophie.laurent', {})).toEqual([
      'Choose the owner group before the steward.',
    ]);
  });

  it('normalizes owner refs to full lower-case group refs', () => {
    expect(normalizeOwnerRef('Marketing')).toBe('group:default/marketing');
    expect(normalizeOwnerRef('group:ml/Platform')).toBe('group:ml/platform');
    expect(normalizeOwnerRef('')).toBeUndefined();
    expect(normalizeOwnerRef(42)).toBeUndefined();
  });
});
