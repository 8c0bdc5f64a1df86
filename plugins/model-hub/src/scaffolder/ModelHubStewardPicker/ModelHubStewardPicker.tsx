import { useEffect } from 'react';
import useAsync from 'react-use/esm/useAsync';
import {
  Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { useApi } from '@backstage/core-plugin-api';
import { CatalogApi } from '@backstage/catalog-client';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import {
  CustomFieldValidator,
  FieldExtensionComponentProps,
} from '@backstage/plugin-scaffolder-react';
import { MODEL_HUB_ANNOTATIONS } from '@internal/plugin-model-hub-common';
import TextField from '@material-ui/core/TextField';
import Autocomplete from '@material-ui/lab/Autocomplete';

/** `ui:options` of the `ModelHubStewardPicker` field. */
export type ModelHubStewardPickerUiOptions = {
  /** Form field holding the owning group's entity ref (default `owner`). */
  ownerField?: string;
};

/** The owner group's full, lower-case entity ref, or `undefined` if not a valid ref. */
export function normalizeOwnerRef(owner: unknown): string | undefined {
  if (typeof owner !== 'string' || owner.trim() === '') return undefined;
  try {
    return stringifyEntityRef(
      parseEntityRef(owner.trim(), {
        defaultKind: 'group',
        defaultNamespace: 'default',
      }),
    ).toLocaleLowerCase('en-US');
  } catch {
    return undefined;
  }
}

/** The Users who are members of `ownerRef` and have not left the organisation, by display name. */
export async function listGroupMembers(
  catalogApi: CatalogApi,
  ownerRef: string,
): Promise<Entity[]> {
  const { items } = await catalogApi.getEntities({
    filter: { kind: 'User', 'relations.memberOf': ownerRef },
    fields: [
      'kind',
      'metadata.name',
      'metadata.namespace',
      'metadata.title',
      'metadata.annotations',
      'spec.profile',
    ],
  });
  return items
    .filter(
      user =>
        user.metadata.annotations?.[MODEL_HUB_ANNOTATIONS.departed] !== 'true',
    )
    .sort((a, b) => userLabel(a).localeCompare(userLabel(b)));
}

/** How a user is shown in the picker: display name, then title, then name. */
export function userLabel(user: Entity): string {
  const profile = user.spec?.profile as
    | { displayName?: unknown; email?: unknown }
    | undefined;
  const displayName =
    typeof profile?.displayName === 'string' ? profile.displayName : undefined;
  return displayName ?? user.metadata.title ?? user.metadata.name;
}

/**
 * Form validation of `ModelHubStewardPicker`: the chosen steward must be a
 * member of the chosen owner group (the owner may change after a steward
 * was picked).
 */
export const modelHubStewardPickerValidation: CustomFieldValidator<
  string,
  ModelHubStewardPickerUiOptions
> = async (value, validation, context) => {
  if (!value) return;
  const ownerField = context.uiSchema?.['ui:options']?.ownerField ?? 'owner';
  const ownerRef = normalizeOwnerRef(context.formData?.[ownerField]);
  if (!ownerRef) {
    validation.addError('Choose the owner group before the steward.');
    return;
  }
  const catalogApi = context.apiHolder.get(catalogApiRef);
  if (!catalogApi) return;
  const members = await listGroupMembers(catalogApi, ownerRef);
  const wanted = value.toLocaleLowerCase('en-US');
  if (
    !members.some(
      m => stringifyEntityRef(m).toLocaleLowerCase('en-US') === wanted,
    )
  ) {
    validation.addError(
      `${value} is not a member of ${ownerRef}; choose one of its members.`,
    );
  }
};

/**
 * Scaffolder field: the model's steward, one of the Users who are members
 * of the owner group chosen in the same form. Stores the user's entity ref.
 */
export function ModelHubStewardPicker(
  props: FieldExtensionComponentProps<string, ModelHubStewardPickerUiOptions>,
) {
  const {
    formData,
    onChange,
    schema,
    uiSchema,
    formContext,
    required,
    disabled,
    readonly,
    rawErrors,
    idSchema,
  } = props;
  const ownerField = uiSchema?.['ui:options']?.ownerField ?? 'owner';
  const ownerRef = normalizeOwnerRef(formContext?.formData?.[ownerField]);
  const catalogApi = useApi(catalogApiRef);

  const members = useAsync(
    async () => (ownerRef ? listGroupMembers(catalogApi, ownerRef) : []),
    [catalogApi, ownerRef],
  );

  // A steward picked for another owner is not a steward of this one.
  useEffect(() => {
    if (!formData || members.loading || members.error) return;
    const stillMember = (members.value ?? []).some(
      m => stringifyEntityRef(m) === formData,
    );
    if (!stillMember) onChange(undefined);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [members.value]);

  const label = schema?.title ?? 'Steward';
  const hasFormErrors = !!rawErrors && rawErrors.length > 0;
  if (!ownerRef) {
    return (
      <TextField
        id={idSchema?.$id}
        label={label}
        required={required}
        margin="normal"
        fullWidth
        disabled
        helperText="Choose the owner group first; the steward is one of its members."
      />
    );
  }

  const options = members.value ?? [];
  const selected =
    options.find(m => stringifyEntityRef(m) === formData) ?? null;
  let helperText: string =
    schema?.description ??
    `The person accountable for the model, a member of ${ownerRef}.`;
  if (members.error) {
    helperText = `Could not load the members of ${ownerRef}: ${members.error.message}`;
  } else if (!members.loading && options.length === 0) {
    helperText = `${ownerRef} has no members in the catalog; add one before registering the model.`;
  }

  return (
    <Autocomplete<Entity, false, false, false>
      id={idSchema?.$id}
      options={options}
      loading={members.loading}
      value={selected}
      disabled={disabled || readonly}
      getOptionLabel={userLabel}
      getOptionSelected={(option, value) =>
        stringifyEntityRef(option) === stringifyEntityRef(value)
      }
      onChange={(_event, user) =>
        onChange(user ? stringifyEntityRef(user) : undefined)
      }
      renderInput={params => (
        <TextField
          {...params}
          label={label}
          required={required}
          margin="normal"
          error={!!members.error || hasFormErrors}
          helperText={helperText}
        />
      )}
    />
  );
}
