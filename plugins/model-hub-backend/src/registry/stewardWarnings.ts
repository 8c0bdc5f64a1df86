import { BackstageCredentials } from '@backstage/backend-plugin-api';
import {
  parseEntityRef,
  RELATION_MEMBER_OF,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { ModelEntityV1alpha1 } from '@internal/plugin-model-hub-common';

const lower = (s: string) => s.toLocaleLowerCase('en-US');

/**
 * Warnings for a registration the hub accepts but the stewardship rules
 * will flag: a steward who is not a member of the owning team (the
 * `steward-missing` task with reason `not-member`). Membership is read from
 * the catalog's processed `memberOf` relations of the steward.
 */
export async function stewardWarnings(
  entity: ModelEntityV1alpha1,
  catalog: CatalogService,
  credentials: BackstageCredentials,
): Promise<string[]> {
  const declared = entity.spec.steward;
  const namespace = entity.metadata.namespace ?? 'default';
  if (!declared || !entity.spec.owner) return [];
  let steward: string;
  let owner: string;
  try {
    steward = stringifyEntityRef(
      parseEntityRef(declared, {
        defaultKind: 'user',
        defaultNamespace: namespace,
      }),
    );
    owner = stringifyEntityRef(
      parseEntityRef(entity.spec.owner, {
        defaultKind: 'group',
        defaultNamespace: namespace,
      }),
    );
  } catch {
    return []; // validation reports unparseable refs
  }
  const user = await catalog.getEntityByRef(steward, { credentials });
  if (!user) return []; // unknown references are refused before this
  const member = (user.relations ?? []).some(
    r => r.type === RELATION_MEMBER_OF && lower(r.targetRef) === lower(owner),
  );
  if (member) return [];
  return [
    `steward ${steward} is not a member of the owning team ${owner}; a steward-missing task stays open until they join it or spec.steward names a member`,
  ];
}
