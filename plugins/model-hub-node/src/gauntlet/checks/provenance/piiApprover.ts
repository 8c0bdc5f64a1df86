import {
  Entity,
  parseEntityRef,
  RELATION_MEMBER_OF,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { Config } from '@backstage/config';
import { GauntletCatalogReader } from '../../check';

/** Default governance group, as in the backend's four-eyes config. */
const DEFAULT_GOVERNANCE_GROUP = 'group:default/ai-governance';

/**
 * The governance group whose members may approve training on PII:
 * `modelHub.governance.group`, then the deprecated `modelHub.governanceGroup`.
 */
export function readGovernanceGroup(config: Config): string {
  const raw =
    config.getOptionalString('modelHub.governance.group') ??
    config.getOptionalString('modelHub.governanceGroup') ??
    DEFAULT_GOVERNANCE_GROUP;
  return stringifyEntityRef(
    parseEntityRef(raw, { defaultKind: 'group', defaultNamespace: 'default' }),
  );
}

const lower = (s: string) => s.toLocaleLowerCase('en-US');

function isMemberOf(user: Entity, group: string): boolean {
  // Relations are the catalog's processed view (spec.memberOf of the User
  // and spec.members of the Group both end up here); raw spec fields of an
  // unprocessed entity are not trusted.
  return (user.relations ?? []).some(
    r => r.type === RELATION_MEMBER_OF && lower(r.targetRef) === lower(group),
  );
}

/**
 * Resolves a PII approver in the catalog: returns undefined when the
 * approver is a User entity that is a member of the governance group, or a
 * one-line reason why the approval does not count.
 */
export async function verifyPiiApprover(
  catalog: GauntletCatalogReader,
  approver: string,
  governanceGroup: string,
): Promise<string | undefined> {
  const user = await catalog.getEntityByRef(approver);
  if (!user) {
    return `approver ${approver} is not a User in the catalog`;
  }
  if (lower(user.kind) !== 'user') {
    return `approver ${approver} is a ${user.kind}, not a User`;
  }
  if (!isMemberOf(user, governanceGroup)) {
    return `approver ${approver} is not a member of the governance group ${governanceGroup}`;
  }
  return undefined;
}
