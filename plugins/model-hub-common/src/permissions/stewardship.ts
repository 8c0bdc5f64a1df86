import {
  BasicPermission,
  createPermission,
  isPermission,
  Permission,
} from '@backstage/plugin-permission-common';
import {
  ModelHubModelPermission,
  RESOURCE_TYPE_MODEL_HUB_MODEL,
} from './permissions';

/*
 * Stewardship action permissions: what a person may do about a stewardship
 * task where it is shown (team page, model page).
 */

/**
 * Naming a new steward of a model (recorded by the hub as an override of
 * `spec.steward`). Default: the model's owners.
 */
export const modelStewardReassignPermission: ModelHubModelPermission =
  createPermission({
    name: 'model-hub.steward.reassign',
    attributes: { action: 'update' },
    resourceType: RESOURCE_TYPE_MODEL_HUB_MODEL,
  });

/**
 * Archiving a model in the hub (its stewardship tasks close and no new ones
 * open). Default: the model's owners.
 */
export const modelArchivePermission: ModelHubModelPermission = createPermission(
  {
    name: 'model-hub.model.archive',
    attributes: { action: 'update' },
    resourceType: RESOURCE_TYPE_MODEL_HUB_MODEL,
  },
);

/**
 * Snoozing a stewardship task or asking for it to be waived. Default:
 * signed-in users; the hub also requires membership of the task's assignee
 * team (or the governance group).
 */
export const stewardshipTaskActPermission: BasicPermission = createPermission({
  name: 'model-hub.stewardship.task.act',
  attributes: { action: 'update' },
});

/**
 * Granting a requested waiver of a stewardship task. Default: the governance
 * group; never the person who asked for it (four-eyes).
 */
export const stewardshipWaiverApprovePermission: BasicPermission =
  createPermission({
    name: 'model-hub.stewardship.waiver.approve',
    attributes: { action: 'update' },
  });

/** Stewardship permissions only a model's owners hold by default. */
export const stewardshipOwnerPermissions: ModelHubModelPermission[] = [
  modelStewardReassignPermission,
  modelArchivePermission,
];

/** Every stewardship action permission, for registration. */
export const stewardshipPermissions: Array<
  ModelHubModelPermission | BasicPermission
> = [
  ...stewardshipOwnerPermissions,
  stewardshipTaskActPermission,
  stewardshipWaiverApprovePermission,
];

/** True when `permission` is one of {@link stewardshipOwnerPermissions}. */
export function isStewardshipOwnerPermission(
  permission: Permission,
): permission is ModelHubModelPermission {
  return stewardshipOwnerPermissions.some(p => isPermission(permission, p));
}
