import { Entity } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import { ModelVersionService } from '../versions/ModelVersionService';
import { ownerRefOf } from './fourEyesGuard';
import { GauntletRunner } from './GauntletRunner';
import { GauntletWaiver } from './types';
import { assertWaiverAllowed } from './waiverRules';

/** Refuses (400) a waiver of a check the gauntlet does not have. */
export function assertKnownCheck(runner: GauntletRunner, check: string): void {
  const checkIds = runner.checks.map(c => c.id);
  if (!checkIds.includes(check)) {
    throw new InputError(
      `Unknown check '${check}'; checks are ${checkIds.join(', ')}`,
    );
  }
}

/**
 * Records a waiver request (pending until approved) and the model's tier
 * after it, refusing a security waiver over an unsafe file; returns the
 * waiver and the meta of its `gauntlet-waiver-create` audit event. Shared
 * by the waiver route and the example seeder.
 */
export async function createWaiverRequest(options: {
  runner: GauntletRunner;
  versions: Pick<ModelVersionService, 'getVersion' | 'listVersions'>;
  entity: Entity;
  entityRef: string;
  check: string;
  version?: string;
  reason: string;
  requestedBy: string;
  expiresAt: Date;
  now: Date;
}): Promise<{ value: GauntletWaiver; meta: Record<string, unknown> }> {
  const { runner, entityRef } = options;
  await assertWaiverAllowed({
    check: options.check,
    version: options.version,
    entityRef,
    versions: options.versions,
  });
  const value = await runner.store.createWaiver({
    entityRef,
    checkId: options.check,
    version: options.version,
    reason: options.reason,
    requestedBy: options.requestedBy,
    requestedOwner: ownerRefOf(options.entity),
    expiresAt: options.expiresAt,
    now: options.now,
  });
  const evaluation = await runner.updateTier(options.entity);
  return {
    value,
    meta: {
      waiverId: value.id,
      check: value.checkId,
      expiresAt: value.expiresAt,
      effectiveTier: evaluation.effectiveTier,
    },
  };
}
