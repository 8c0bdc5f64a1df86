import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { JsonObject } from '@backstage/types';
import {
  isDatasetEntity,
  isModelEntity,
  MODEL_HUB_ANNOTATIONS,
  validateDatasetEntity,
} from '@internal/plugin-model-hub-common';
import { GauntletCheck, GauntletCheckContext } from '../../check';
import { GauntletCheckResult } from '../../types';
import { headline, statusOf } from '../readFile';
import { readGovernanceGroup, verifyPiiApprover } from './piiApprover';

/**
 * Annotation on a dataset Resource classified `pii: personal` or
 * `sensitive`: the recorded approval to train models on it, as
 * `<approver user ref> <YYYY-MM-DD>`, e.g. `user:default/dana 2026-03-01`.
 * The approver must resolve in the catalog to a User who is a member of the
 * governance group (`modelHub.governance.group`).
 * (Belongs in the -common vocabulary; defined here until it moves.)
 */
export const PII_APPROVAL_ANNOTATION = 'modelhub.io/pii-approval';

/** PII classes whose use for training needs a recorded approval. */
export const PII_CLASSES_NEEDING_APPROVAL = ['personal', 'sensitive'];

/** Longest base-model chain followed. */
const MAX_CHAIN = 25;

/** A parsed {@link PII_APPROVAL_ANNOTATION}. */
export interface PiiApproval {
  approver: string;
  date: string;
}

/**
 * Parses a {@link PII_APPROVAL_ANNOTATION} value; returns a message when it is
 * malformed (the approver must be a User ref, the date a real `YYYY-MM-DD`).
 */
export function parsePiiApproval(value: string): PiiApproval | string {
  const m = /^\s*(\S+)\s+(\d{4}-\d{2}-\d{2})\s*$/.exec(value);
  if (!m) {
    return `"${value}" is not "<approver user ref> <YYYY-MM-DD>"`;
  }
  let approver: string;
  try {
    const ref = parseEntityRef(m[1], {
      defaultKind: 'user',
      defaultNamespace: 'default',
    });
    if (ref.kind.toLocaleLowerCase('en-US') !== 'user') {
      return `approver ${m[1]} is not a User`;
    }
    approver = stringifyEntityRef(ref);
  } catch (e) {
    return `approver ${m[1]} is not an entity ref: ${(e as Error).message}`;
  }
  const date = new Date(`${m[2]}T00:00:00Z`);
  if (isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== m[2]) {
    return `${m[2]} is not a valid date`;
  }
  return { approver, date: m[2] };
}

function normalize(
  ref: string,
  defaultKind: string,
  namespace: string,
): string {
  return stringifyEntityRef(
    parseEntityRef(ref, { defaultKind, defaultNamespace: namespace }),
  );
}

/**
 * The `provenance` check: every training dataset resolves to a valid dataset
 * Resource (owner, license, source), datasets with personal or sensitive
 * data carry a recorded approval, and the base-model chain resolves without
 * cycles, with third-party bases registered as `external`-tier models. A
 * model declaring no training data fails for official and warns otherwise.
 */
export const provenanceCheck: GauntletCheck = {
  id: 'provenance',
  title: 'Data provenance',
  description:
    'Training datasets resolve to registered datasets with owner, license and source; PII datasets have a recorded approval by a member of the governance group; the base-model chain resolves, has no cycle, and external bases are registered external-tier models.',
  version: '2',
  async run(ctx: GauntletCheckContext): Promise<GauntletCheckResult> {
    const governanceGroup = readGovernanceGroup(ctx.config);
    const failures: string[] = [];
    const warnings: string[] = [];
    const namespace = ctx.entity.metadata.namespace ?? 'default';
    const datasets: JsonObject[] = [];

    const trainingData = ctx.entity.spec.trainingData ?? [];
    if (trainingData.length === 0) {
      (ctx.tier === 'official' ? failures : warnings).push(
        'the model declares no training data (spec.trainingData)',
      );
    }
    for (const raw of trainingData) {
      let ref: string;
      try {
        ref = normalize(raw, 'resource', namespace);
      } catch (e) {
        failures.push(
          `training data ref "${raw}" is invalid: ${(e as Error).message}`,
        );
        continue;
      }
      const entity = await ctx.catalog.getEntityByRef(ref);
      if (!entity) {
        failures.push(
          `training dataset ${ref} is not registered in the catalog`,
        );
        datasets.push({ ref, found: false });
        continue;
      }
      if (!isDatasetEntity(entity)) {
        failures.push(
          `training data ${ref} is not a dataset (kind Resource, spec.type dataset)`,
        );
        datasets.push({ ref, found: true, dataset: false });
        continue;
      }
      const validation = validateDatasetEntity(entity);
      const info = entity.spec.dataset;
      const item: JsonObject = {
        ref,
        found: true,
        dataset: true,
        valid: validation.valid,
        errors: validation.errors,
        owner: entity.spec.owner ?? null,
        license: info?.license ?? null,
        source: info?.source?.location ?? null,
        pii: info?.pii ?? null,
      };
      if (!validation.valid) {
        failures.push(
          `training dataset ${ref} does not record owner, license and source properly: ${validation.errors.join(
            '; ',
          )}`,
        );
      }
      if (info && PII_CLASSES_NEEDING_APPROVAL.includes(info.pii)) {
        const annotation =
          entity.metadata.annotations?.[PII_APPROVAL_ANNOTATION];
        if (!annotation) {
          failures.push(
            `training dataset ${ref} holds ${info.pii} data and has no recorded approval (annotation ${PII_APPROVAL_ANNOTATION})`,
          );
          item.piiApproval = null;
        } else {
          const approval = parsePiiApproval(annotation);
          if (typeof approval === 'string') {
            failures.push(
              `training dataset ${ref}: invalid ${PII_APPROVAL_ANNOTATION}: ${approval}`,
            );
            item.piiApproval = { invalid: approval };
          } else {
            const refused = await verifyPiiApprover(
              ctx.catalog,
              approval.approver,
              governanceGroup,
            );
            item.piiApproval = {
              approver: approval.approver,
              date: approval.date,
              ...(refused ? { refused } : {}),
            };
            if (refused) {
              failures.push(
                `training dataset ${ref}: ${PII_APPROVAL_ANNOTATION} does not count: ${refused}`,
              );
            }
          }
        }
      }
      datasets.push(item);
    }

    // Base-model chain.
    const chain: JsonObject[] = [];
    const seen = new Set<string>([stringifyEntityRef(ctx.entity)]);
    let current = ctx.entity;
    for (let depth = 0; current.spec.baseModel?.ref; depth++) {
      const from = stringifyEntityRef(current);
      let ref: string;
      try {
        ref = normalize(
          current.spec.baseModel.ref,
          'model',
          current.metadata.namespace ?? 'default',
        );
      } catch (e) {
        failures.push(
          `base model ref of ${from} is invalid: ${(e as Error).message}`,
        );
        break;
      }
      if (seen.has(ref)) {
        failures.push(
          `the base-model chain has a cycle: ${[...seen, ref].join(' -> ')}`,
        );
        chain.push({ ref, cycle: true });
        break;
      }
      if (depth >= MAX_CHAIN) {
        failures.push(
          `the base-model chain is longer than ${MAX_CHAIN} models`,
        );
        break;
      }
      seen.add(ref);
      const base = await ctx.catalog.getEntityByRef(ref);
      if (!base) {
        failures.push(
          `base model ${ref} (of ${from}) is not registered; register third-party bases as external-tier models`,
        );
        chain.push({ ref, found: false });
        break;
      }
      if (!isModelEntity(base)) {
        failures.push(`base model ${ref} (of ${from}) is not a Model entity`);
        chain.push({ ref, found: true, model: false });
        break;
      }
      const upstream =
        base.metadata.annotations?.[MODEL_HUB_ANNOTATIONS.upstream];
      chain.push({
        ref,
        found: true,
        tier: base.spec.tier,
        relation: current.spec.baseModel.relation,
        upstream: upstream ?? null,
      });
      if (upstream && base.spec.tier !== 'external') {
        failures.push(
          `base model ${ref} comes from outside (${MODEL_HUB_ANNOTATIONS.upstream}: ${upstream}) but is registered as ${base.spec.tier}, not external`,
        );
      }
      if (base.spec.tier === 'external' && !upstream) {
        warnings.push(
          `external base model ${ref} does not record where it comes from (${MODEL_HUB_ANNOTATIONS.upstream})`,
        );
      }
      current = base;
    }

    const status = statusOf(failures, warnings);
    const evidence: JsonObject = {
      tier: ctx.tier,
      datasets,
      baseModelChain: chain,
      failures,
      warnings,
    };
    if (status === 'pass') {
      return {
        status,
        summary: `${
          datasets.length
        } training dataset(s) registered with owner, license and source${
          chain.length ? `; base-model chain of ${chain.length} resolves` : ''
        }`,
        evidence,
      };
    }
    return {
      status,
      summary: headline(status === 'fail' ? failures : warnings),
      reason: [...failures, ...warnings].join('\n'),
      evidence,
    };
  },
};
