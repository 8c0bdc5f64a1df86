import {
  Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import {
  createConditionExports,
  createPermissionResourceRef,
  createPermissionRule,
} from '@backstage/plugin-permission-node';
import { RESOURCE_TYPE_MODEL_HUB_MODEL } from '@internal/plugin-model-hub-common';
import { z } from 'zod';

/**
 * A query over models, in the catalog's entity filter shape, e.g.
 * `{ key: 'spec.owner', values: ['group:default/ml-team'] }`.
 */
export interface ModelHubModelQuery {
  key: string;
  values: string[];
}

/**
 * The permission resource of Model Hub: a `kind: Model` catalog entity,
 * referenced by its entity ref.
 */
export const modelHubModelResourceRef = createPermissionResourceRef<
  Entity,
  ModelHubModelQuery
>().with({
  pluginId: 'model-hub',
  resourceType: RESOURCE_TYPE_MODEL_HUB_MODEL,
});

/**
 * The normalized owner ref of a model (`group:default/ml-team`), from its
 * `spec.owner`, or undefined when it has none.
 */
export function modelOwnerRef(model: Entity): string | undefined {
  const owner = model.spec?.owner;
  if (typeof owner !== 'string' || owner.trim() === '') {
    return undefined;
  }
  try {
    return stringifyEntityRef(
      parseEntityRef(owner.trim(), {
        defaultKind: 'group',
        defaultNamespace: model.metadata.namespace ?? 'default',
      }),
    ).toLocaleLowerCase('en-US');
  } catch {
    return undefined;
  }
}

/**
 * The 403 message for a permission only a model's owners hold, e.g.
 * `Not allowed to model-hub.model.deprecate on model:default/x: only its
 * owner group:default/ml-team may`, optionally followed by what they may do.
 */
export function ownersOnlyMessage(
  permissionName: string,
  entityRef: string,
  model: Entity | undefined,
  what?: string,
): string {
  const owner = model ? modelOwnerRef(model) : undefined;
  return `Not allowed to ${permissionName} on ${entityRef}: only ${
    owner ? `its owner ${owner}` : 'its owners'
  } may${what ? ` ${what}` : ''}`;
}

/**
 * Matches models whose `spec.owner` is one of the given claims (typically
 * the user's ownership entity refs).
 */
export const isModelOwner = createPermissionRule({
  name: 'IS_MODEL_OWNER',
  description: 'Allow models whose spec.owner is one of the given claims',
  resourceRef: modelHubModelResourceRef,
  paramsSchema: z.object({
    claims: z
      .array(z.string())
      .describe(
        'Entity refs (e.g. the user and their groups) that own the model',
      ),
  }),
  apply: (model, { claims }) => {
    const owner = modelOwnerRef(model);
    if (!owner) {
      return false;
    }
    return claims.some(claim => claim.toLocaleLowerCase('en-US') === owner);
  },
  toQuery: ({ claims }) => ({ key: 'spec.owner', values: claims }),
});

/** The permission rules of the `model-hub-model` resource type. */
export const modelHubModelPermissionRules = { isModelOwner };

const conditionExports = createConditionExports({
  resourceRef: modelHubModelResourceRef,
  rules: modelHubModelPermissionRules,
});

/**
 * Conditions for Model Hub permissions, for use in permission policies,
 * e.g. `modelHubConditions.isModelOwner({ claims: user.info.ownershipEntityRefs })`.
 */
export const modelHubConditions = conditionExports.conditions;

/** Builds a conditional decision for a Model Hub permission in a policy. */
export const createModelHubConditionalDecision =
  conditionExports.createConditionalDecision;
