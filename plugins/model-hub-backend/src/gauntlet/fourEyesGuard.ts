import { BackstageCredentials } from '@backstage/backend-plugin-api';
import {
  Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { ConflictError, NotAllowedError } from '@backstage/errors';
import { ModelVersion } from '@internal/plugin-model-hub-common';
import { ApprovalBinding } from './ApprovalStore';
import { owningTeamAmong, sameRef, TeamDirectory } from './membership';
import { GauntletApproval } from './types';
import { foldCase } from '../service/foldCase';

/** The owning group (or user) of a model, as a full lower-case ref. */
export function ownerRefOf(entity: Entity): string | undefined {
  const owner = entity.spec?.owner;
  if (typeof owner !== 'string' || !owner) return undefined;
  return foldCase(
    stringifyEntityRef(
      parseEntityRef(owner, {
        defaultKind: 'group',
        defaultNamespace: entity.metadata.namespace ?? 'default',
      }),
    ),
  );
}

/**
 * Refuses (403) user credentials another plugin holds on the person's behalf
 * (an on-behalf-of token, e.g. a scaffolder step run by a governance
 * member): a governance decision is the person's own act, made with their
 * sign-in or their personal access token.
 */
export function assertDecidedInPerson(
  credentials: BackstageCredentials,
  what: string,
): void {
  const principal = credentials.principal as {
    type: string;
    userEntityRef?: string;
    actor?: { subject: string };
  };
  if (principal.type === 'user' && principal.actor) {
    throw new NotAllowedError(
      `Governance decisions are made by the person: credentials issued on behalf of ${principal.userEntityRef} by ${principal.actor.subject} cannot ${what}; sign in and decide in the portal`,
    );
  }
}

/**
 * Refuses (403) an approver who requested the thing approved (under any
 * spelling of their ref), who is the model's steward (the person who
 * answers for it, who may sit outside the owning team), or who is in the
 * model's owning team (its owner now, or when the subject was requested):
 * the owning user, or a member of the owning group or of one of its
 * sub-groups, by their sign-in claims or by the catalog (either suffices;
 * membership.ts).
 */
export async function assertIndependentApprover(options: {
  actor: string;
  ownershipEntityRefs: string[];
  /** The catalog's entity of the actor, or undefined when it has none. */
  user: Entity | undefined;
  requestedBy?: string;
  /** The model's owner when the subject was requested (a full ref), if recorded. */
  requestedOwner?: string;
  subject: string;
  /** What the caller decides; default approve. */
  decision?: 'approve' | 'reject';
  entity: Entity;
  entityRef: string;
  governanceGroup: string;
  directory: TeamDirectory;
}): Promise<void> {
  const { actor, subject, entityRef } = options;
  const decision = options.decision ?? 'approve';
  if (options.requestedBy && sameRef(options.requestedBy, actor)) {
    throw new NotAllowedError(
      `${actor} requested ${subject} and cannot ${decision} it (four-eyes); another member of ${
        options.governanceGroup
      } must${decision === 'reject' ? ', or the requester withdraws it' : ''}`,
    );
  }
  const steward = options.entity.spec?.steward;
  if (typeof steward === 'string' && sameRef(steward, actor)) {
    throw new NotAllowedError(
      `${actor} is the steward of ${entityRef}; ${subject} needs ${
        decision === 'approve' ? 'an approver' : 'a decision'
      } from someone who does not answer for the model (four-eyes)`,
    );
  }
  // The owner now, and the owner when it was requested: moving the model to
  // another owner after asking must not make the asking team's members
  // outsiders.
  const now = ownerRefOf(options.entity);
  const then =
    options.requestedOwner &&
    !sameRef(options.requestedOwner, now ?? '', 'group')
      ? options.requestedOwner
      : undefined;
  const owner = await owningTeamAmong({
    actor,
    teams: [now, then].filter((t): t is string => !!t),
    claims: options.ownershipEntityRefs,
    user: options.user,
    directory: options.directory,
  });
  if (owner) {
    const which =
      owner === now
        ? `which owns ${entityRef}`
        : `which owned ${entityRef} when ${subject} was requested`;
    throw new NotAllowedError(
      `${actor} is ${
        owner.startsWith('group:') ? 'a member of ' : ''
      }${owner}, ${which}; ${subject} needs ${
        decision === 'approve' ? 'an approver' : 'a decision'
      } from outside the owning team (four-eyes)`,
    );
  }
}

/**
 * Refuses (403) an approver who authored the version the approval binds
 * to: who created it or uploaded (or linked) one of its files. Team
 * membership is read now, so without this a member who published a version
 * and then left the owning team (or a governance member the policy lets
 * publish) would approve their own work.
 */
export function assertNotAuthor(options: {
  actor: string;
  version: Pick<ModelVersion, 'version' | 'createdBy' | 'files'>;
  subject: string;
  entityRef: string;
  governanceGroup: string;
}): void {
  const { actor, version, subject, entityRef } = options;
  const authored = sameRef(version.createdBy, actor)
    ? 'created'
    : version.files
        .filter(f => sameRef(f.uploadedBy, actor))
        .map(f => `uploaded ${f.path} of`)[0];
  if (authored) {
    throw new NotAllowedError(
      `${actor} ${authored} version ${version.version} of ${entityRef} and cannot approve ${subject} (four-eyes); another member of ${options.governanceGroup} must`,
    );
  }
}

/**
 * Refuses (409) an approval that cannot bind: no completed run yet, the
 * approver reviewed another run than the latest, or already approved.
 */
export function assertCanBind(options: {
  binding: ApprovalBinding | undefined;
  seenRunId?: number;
  actor: string;
  approvals: GauntletApproval[];
  subject: string;
  entityRef: string;
}): ApprovalBinding {
  const { binding, subject, entityRef, actor } = options;
  if (!binding) {
    throw new ConflictError(
      `${entityRef} has no completed gauntlet run of its latest sealed version to approve ${subject} against; run the gauntlet first`,
    );
  }
  if (options.seenRunId !== undefined && options.seenRunId !== binding.runId) {
    throw new ConflictError(
      `You reviewed gauntlet run ${options.seenRunId}, but the latest run of ${entityRef} is ${binding.runId}; review it and approve again`,
    );
  }
  if (
    options.approvals.some(a => !a.invalidatedAt && sameRef(a.approver, actor))
  ) {
    throw new ConflictError(
      `${actor} already approved ${subject}; it needs another approver`,
    );
  }
  return binding;
}
