import { Entity, RELATION_DEPENDENCY_OF } from '@backstage/catalog-model';
import {
  isModelEntity,
  ModelEntityV1alpha1,
} from '@internal/plugin-model-hub-common';
import { StewardshipConfig } from './config';
import { makeCondition } from './condition';
import { upstreamDriftRule } from './driftRule';
import { assessStaleness, Staleness } from './lifecycle';
import {
  compareStrings,
  kindOfRef,
  normalizeEntityRef,
  tryNormalizeEntityRef,
} from './refs';
import {
  OwnerResolution,
  OwnerStatus,
  resolveEntityOwnerAssignee,
  resolveOwnerGroup,
  resolveSteward,
} from './resolve';
import { assertValidDate, DAY_MS } from './time';
import {
  ModelActivity,
  ModelCompliance,
  StewardshipCatalog,
  StewardshipCondition,
  StewardshipInput,
} from './types';

/** Everything the rules know about one model during an evaluation. */
interface ModelContext {
  model: ModelEntityV1alpha1;
  modelRef: string;
  namespace: string;
  /** `metadata.title` or `metadata.name`, for human-readable text. */
  label: string;
  owner: OwnerResolution;
  /** Who gets the model's own tasks: the owner group, or governance if orphaned. */
  responsible: string;
  staleness: Staleness;
  compliance?: ModelCompliance;
}

interface EvaluationContext {
  now: Date;
  config: StewardshipConfig;
  catalog: StewardshipCatalog;
  models: Map<string, ModelEntityV1alpha1>;
  activity: Map<string, ModelActivity>;
}

const OWNER_PROBLEMS: Record<Exclude<OwnerStatus, 'ok'>, string> = {
  unset: 'declares no owner',
  invalid: 'declares an owner ref that cannot be parsed',
  'not-found': 'is owned by a group that does not exist in the catalog',
  'not-a-group': 'is owned by an entity that is not a group',
  'no-active-members': 'is owned by a group with no active members',
};

function byModelRef<T>(
  record: Record<string, T> | undefined,
  what: string,
): Map<string, T> {
  const map = new Map<string, T>();
  for (const [key, value] of Object.entries(record ?? {})) {
    const ref = tryNormalizeEntityRef(key, { defaultKind: 'model' });
    if (!ref || kindOfRef(ref) !== 'model') {
      throw new Error(`${what}: "${key}" is not a model ref`);
    }
    if (map.has(ref)) {
      throw new Error(`${what}: model ${ref} appears more than once`);
    }
    map.set(ref, value);
  }
  return map;
}

function iso(date: Date): string {
  return date.toISOString();
}

/** Joins the non-empty parts of a sentence. */
function text(...parts: Array<string | false | null | undefined>): string {
  return parts.filter(Boolean).join('');
}

function describeOwner(owner: OwnerResolution): string {
  return owner.ref ?? owner.declared ?? '(none)';
}

// ---------------------------------------------------------------- ownership

function ownershipRule(ctx: EvaluationContext, m: ModelContext) {
  if (m.owner.status === 'ok') {
    return [];
  }
  const status = m.owner.status;
  return [
    makeCondition({
      kind: 'orphaned',
      modelRef: m.modelRef,
      assignee: ctx.config.governanceGroup,
      severity: m.model.spec.lifecycle === 'production' ? 'critical' : 'high',
      title: `Model ${m.label} has no active owning team`,
      description: text(
        `Model ${m.modelRef} ${OWNER_PROBLEMS[status]}`,
        m.owner.declared && ` (${describeOwner(m.owner)})`,
        '. Find the team that uses or maintains it and set spec.owner to a group with at least one active member, or archive the model.',
      ),
      details: {
        reason: status,
        owner: m.owner.ref ?? m.owner.declared ?? null,
      },
    }),
  ];
}

// ------------------------------------------------------------- stewardship

function stewardRule(ctx: EvaluationContext, m: ModelContext) {
  const steward = resolveSteward(
    m.model.spec.steward,
    m.namespace,
    ctx.catalog,
  );
  const ownerText = m.owner.status === 'ok' ? m.owner.ref : 'the owning team';
  const base = { modelRef: m.modelRef, assignee: m.responsible };

  if (steward.status === 'ok') {
    if (
      m.owner.status !== 'ok' ||
      m.owner.activeMembers.includes(steward.ref!)
    ) {
      return [];
    }
    return [
      makeCondition({
        ...base,
        kind: 'steward-missing',
        severity: 'medium',
        discriminator: `not-member:${steward.ref}`,
        title: `Steward ${steward.ref} is not a member of the owning team ${ownerText}`,
        description:
          `Steward ${steward.ref} is not a member of the owning team ${ownerText} (model ${m.modelRef}). ` +
          `Either add them to ${ownerText} or set spec.steward to one of its members.`,
        details: {
          reason: 'not-member',
          steward: steward.ref!,
          owner: m.owner.ref!,
        },
      }),
    ];
  }

  const reasons: Record<Exclude<typeof steward.status, 'ok'>, string> = {
    unset: 'has no steward',
    invalid: `names a steward ref that cannot be parsed ("${steward.declared}")`,
    'not-found': `names a steward, ${steward.ref}, who is no longer in the catalog`,
    'not-a-user': `names a steward, ${steward.ref}, that is not a user`,
    departed: `names a steward, ${steward.ref}, who has left the organisation`,
  };
  return [
    makeCondition({
      ...base,
      kind: 'steward-missing',
      severity: 'high',
      discriminator: steward.ref ?? steward.declared ?? 'unset',
      title:
        steward.status === 'unset'
          ? `Name a steward for ${m.label}`
          : `Name a new steward for ${m.label}`,
      description:
        `Model ${m.modelRef} ${reasons[steward.status]}. ` +
        `Set spec.steward to an active member of ${ownerText} who is accountable for the model.`,
      details: {
        reason: steward.status,
        steward: steward.ref ?? steward.declared ?? null,
      },
    }),
  ];
}

// --------------------------------------------------------------- staleness

function stalenessRule(ctx: EvaluationContext, m: ModelContext) {
  const s = m.staleness;
  const base = { modelRef: m.modelRef, assignee: m.responsible };
  const details = {
    lastActivityAt: s.lastActivityAt ? iso(s.lastActivityAt) : null,
    lastActivitySource: s.lastActivitySource ?? null,
    archiveAt: s.archiveAt ? iso(s.archiveAt) : null,
    staleAfterMonths: ctx.config.staleAfterMonths,
  };
  if (s.state === 'warning') {
    return [
      makeCondition({
        ...base,
        kind: 'stale-warning',
        severity: 'medium',
        dueAt: s.archiveAt,
        title: `Model ${m.label} will be archived for inactivity on ${iso(
          s.archiveAt!,
        ).slice(0, 10)}`,
        description:
          `Model ${
            m.modelRef
          } has had no new version, metadata change or pull since ${iso(
            s.lastActivityAt!,
          )}. It will be archived at ${iso(s.archiveAt!)} (${
            ctx.config.staleAfterMonths
          } months without activity). ` +
          'To keep it, publish a new version or review and update its model card; otherwise set spec.lifecycle to deprecated or archived.',
        details,
      }),
    ];
  }
  if (s.state === 'stale') {
    return [
      makeCondition({
        ...base,
        kind: 'stale-archived',
        severity: 'low',
        title: `Model ${m.label} was archived for inactivity`,
        description:
          `Model ${m.modelRef} has had no activity since ${iso(
            s.lastActivityAt!,
          )} and has been treated as archived since ${iso(s.archiveAt!)}. ` +
          'Set spec.lifecycle to archived to confirm, or publish a new version or update its model card to revive it.',
        details,
      }),
    ];
  }
  return [];
}

// ------------------------------------------------------------- deprecation

type SuccessorResolution =
  | { ok: true; successorRef: string; declaredRef: string; chain: string[] }
  | { ok: false; reason: string; declaredRef?: string; chain: string[] };

/**
 * Follows `spec.successor` through deprecated models (with successors of
 * their own) to the model consumers should move to.
 */
function resolveSuccessor(
  ctx: EvaluationContext,
  m: ModelContext,
): SuccessorResolution {
  const declared = m.model.spec.successor;
  if (typeof declared !== 'string' || declared.trim() === '') {
    return { ok: false, reason: 'unset', chain: [] };
  }
  const declaredRef = tryNormalizeEntityRef(declared, {
    defaultKind: 'model',
    defaultNamespace: m.namespace,
  });
  if (!declaredRef) {
    return { ok: false, reason: 'invalid', declaredRef: declared, chain: [] };
  }
  const chain: string[] = [];
  const seen = new Set([m.modelRef]);
  let current = declaredRef;
  for (;;) {
    chain.push(current);
    if (seen.has(current)) {
      return { ok: false, reason: 'cycle', declaredRef, chain };
    }
    seen.add(current);
    const successor = ctx.models.get(current);
    if (!successor) {
      return { ok: false, reason: 'not-found', declaredRef, chain };
    }
    const lifecycle = successor.spec.lifecycle;
    const stale =
      assessStaleness(successor, ctx.activity.get(current), ctx.now, ctx.config)
        .state === 'stale';
    if (lifecycle === 'archived' || stale) {
      return { ok: false, reason: 'archived', declaredRef, chain };
    }
    if (lifecycle !== 'deprecated') {
      return { ok: true, successorRef: current, declaredRef, chain };
    }
    const next = tryNormalizeEntityRef(successor.spec.successor, {
      defaultKind: 'model',
      defaultNamespace: successor.metadata.namespace ?? 'default',
    });
    if (!next) {
      return { ok: false, reason: 'deprecated', declaredRef, chain };
    }
    current = next;
  }
}

const SUCCESSOR_PROBLEMS: Record<string, string> = {
  unset: 'names no successor',
  invalid: 'names a successor ref that cannot be parsed',
  'not-found': 'names a successor that is not in the catalog',
  archived: 'names a successor that is archived',
  deprecated: 'names a successor that is itself deprecated without a successor',
  cycle: 'names successors that lead back to each other',
};

function dependentComponents(
  ctx: EvaluationContext,
  m: ModelContext,
): Entity[] {
  const byRef = new Map<string, Entity>();
  for (const component of ctx.catalog.getDependentComponents(m.modelRef)) {
    byRef.set(normalizeEntityRef(component), component);
  }
  for (const relation of m.model.relations ?? []) {
    if (relation.type !== RELATION_DEPENDENCY_OF) continue;
    const ref = tryNormalizeEntityRef(relation.targetRef);
    if (!ref || kindOfRef(ref) !== 'component' || byRef.has(ref)) continue;
    const component = ctx.catalog.getEntity(ref);
    if (component) byRef.set(ref, component);
  }
  return [...byRef.entries()]
    .sort(([a], [b]) => compareStrings(a, b))
    .map(([, e]) => e);
}

function deprecationRule(ctx: EvaluationContext, m: ModelContext) {
  if (m.model.spec.lifecycle !== 'deprecated') {
    return [];
  }
  const successor = resolveSuccessor(ctx, m);
  const consumers = dependentComponents(ctx, m);
  if (!successor.ok) {
    return [
      makeCondition({
        kind: 'deprecated-no-successor',
        modelRef: m.modelRef,
        assignee: m.responsible,
        severity: 'medium',
        title: `Deprecated model ${m.label} has no usable successor`,
        description: text(
          `Model ${m.modelRef} is deprecated but ${
            SUCCESSOR_PROBLEMS[successor.reason]
          }`,
          successor.declaredRef && ` (${successor.declaredRef})`,
          '. Set spec.successor to the model that replaces it, or archive it',
          consumers.length > 0
            ? ` once its ${consumers.length} consuming service(s) have moved off it.`
            : '.',
        ),
        details: {
          reason: successor.reason,
          successor: successor.declaredRef ?? null,
          successorChain: successor.chain,
          consumers: consumers.map(c => normalizeEntityRef(c)),
        },
      }),
    ];
  }
  const successorLabel =
    successor.successorRef === successor.declaredRef
      ? successor.successorRef
      : `${successor.successorRef} (via ${successor.chain
          .slice(0, -1)
          .join(' → ')})`;
  return consumers.map(component => {
    const componentRef = normalizeEntityRef(component);
    const owner = resolveEntityOwnerAssignee(component, ctx.catalog);
    const assignee = owner.assignee ?? ctx.config.governanceGroup;
    return makeCondition({
      kind: 'deprecated-migration',
      modelRef: m.modelRef,
      assignee,
      severity: 'high',
      discriminator: componentRef,
      title: `Migrate ${
        component.metadata.title ?? component.metadata.name
      } from deprecated model ${m.label} to ${successor.successorRef}`,
      description: text(
        `Service ${componentRef} depends on model ${m.modelRef}, which is deprecated. `,
        `Move it to the successor model ${successorLabel} and update its dependsOn.`,
        !owner.assignee &&
          ` (Assigned to governance: the service's owner ${
            owner.declared ?? '(none)'
          } cannot be reached: ${owner.status}.)`,
      ),
      details: {
        consumer: componentRef,
        consumerOwner: owner.declared ?? null,
        consumerOwnerStatus: owner.status,
        successor: successor.successorRef,
        declaredSuccessor: successor.declaredRef,
        successorChain: successor.chain,
      },
    });
  });
}

// -------------------------------------------------------------- compliance

function failingCheckSeverity(
  status: 'fail' | 'error',
  m: ModelContext,
): 'critical' | 'high' | 'medium' {
  if (status === 'error') return 'medium';
  return m.model.spec.lifecycle === 'production' ? 'critical' : 'high';
}

function complianceRule(ctx: EvaluationContext, m: ModelContext) {
  const compliance = m.compliance;
  if (!compliance) {
    return [];
  }
  const now = ctx.now.getTime();
  const conditions: StewardshipCondition[] = [];
  const base = { modelRef: m.modelRef, assignee: m.responsible };

  const results = new Map<string, (typeof compliance.checks)[number]>();
  for (const check of compliance.checks) {
    if (
      check.version !== undefined &&
      compliance.currentVersion !== undefined &&
      check.version !== compliance.currentVersion
    ) {
      continue;
    }
    if (results.has(check.id)) {
      throw new Error(
        `compliance for ${m.modelRef}: check "${check.id}" has more than one result for the current version`,
      );
    }
    results.set(check.id, check);
  }

  // The latest expiry per check, among waivers still active and expired ones.
  const activeWaiver = new Map<string, Date>();
  const expiredWaiver = new Map<string, Date>();
  for (const waiver of compliance.waivers) {
    assertValidDate(
      waiver.expiresAt,
      `compliance for ${m.modelRef}: waiver of "${waiver.checkId}" expiresAt`,
    );
    const target =
      waiver.expiresAt.getTime() > now ? activeWaiver : expiredWaiver;
    const previous = target.get(waiver.checkId);
    if (!previous || previous.getTime() < waiver.expiresAt.getTime()) {
      target.set(waiver.checkId, waiver.expiresAt);
    }
  }

  const version = compliance.currentVersion ?? null;
  for (const check of [...results.values()].sort((a, b) =>
    compareStrings(a.id, b.id),
  )) {
    if (check.status !== 'fail' && check.status !== 'error') continue;
    if (activeWaiver.has(check.id)) continue;
    const name = check.title ?? check.id;
    const expired = expiredWaiver.get(check.id);
    conditions.push(
      makeCondition({
        ...base,
        kind: 'check-failing',
        severity: failingCheckSeverity(check.status, m),
        discriminator: check.id,
        title:
          check.status === 'fail'
            ? `Check ${name} fails on ${m.label}${version ? ` ${version}` : ''}`
            : `Check ${name} could not run on ${m.label}${
                version ? ` ${version}` : ''
              }`,
        description: text(
          `Gauntlet check "${check.id}" `,
          check.status === 'fail' ? 'fails' : 'ended in an error',
          ' on the current version',
          version && ` (${version})`,
          ` of model ${m.modelRef}`,
          check.message && `: ${check.message}`,
          '. ',
          check.status === 'fail'
            ? 'Fix the model or its model card and publish a new version, or request a waiver.'
            : 'Look at the check log, fix the cause and re-run the gauntlet.',
          expired && ` A waiver for this check expired at ${iso(expired)}.`,
        ),
        details: {
          checkId: check.id,
          status: check.status,
          version,
          message: check.message ?? null,
          waiverExpiredAt: expired ? iso(expired) : null,
        },
      }),
    );
  }

  const windowMs = ctx.config.waiverExpiryWindowDays * DAY_MS;
  for (const [checkId, expiresAt] of [...activeWaiver.entries()].sort(
    ([a], [b]) => compareStrings(a, b),
  )) {
    if (expiresAt.getTime() - now > windowMs) continue;
    const status = results.get(checkId)?.status;
    if (status === 'pass' || status === 'not-applicable') continue;
    conditions.push(
      makeCondition({
        ...base,
        kind: 'waiver-expiring',
        severity: 'medium',
        dueAt: expiresAt,
        discriminator: `${checkId}@${iso(expiresAt)}`,
        title: `Waiver for check ${checkId} on ${m.label} expires on ${iso(
          expiresAt,
        ).slice(0, 10)}`,
        description: text(
          `The waiver for gauntlet check "${checkId}" on model ${
            m.modelRef
          } expires at ${iso(expiresAt)}`,
          status && ` and the check's current result is "${status}"`,
          '. Fix the model so the check passes, or request a renewed waiver before it expires.',
        ),
        details: {
          checkId,
          expiresAt: iso(expiresAt),
          checkStatus: status ?? null,
          version,
        },
      }),
    );
  }
  return conditions;
}

// -------------------------------------------------------------- model card

function isBlank(value: unknown): boolean {
  if (value === undefined || value === null) return true;
  if (typeof value === 'string') return value.trim() === '';
  if (Array.isArray(value)) return value.length === 0;
  if (typeof value === 'object') return Object.keys(value).length === 0;
  return false;
}

function readPath(root: unknown, path: string[]): unknown {
  let value = root;
  for (const segment of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[segment];
  }
  return value;
}

/**
 * Reads a required model-card field: a bare name from `spec`, falling back
 * to `metadata`; a dotted path from the entity root.
 */
export function readModelCardField(
  model: ModelEntityV1alpha1,
  field: string,
): unknown {
  if (field.includes('.')) {
    return readPath(model, field.split('.'));
  }
  const fromSpec = readPath(model.spec, [field]);
  return isBlank(fromSpec) ? readPath(model.metadata, [field]) : fromSpec;
}

function modelCardRule(ctx: EvaluationContext, m: ModelContext) {
  const missing = ctx.config.requiredFields.filter(field =>
    isBlank(readModelCardField(m.model, field)),
  );
  if (missing.length === 0) {
    return [];
  }
  return [
    makeCondition({
      kind: 'model-card-incomplete',
      modelRef: m.modelRef,
      assignee: m.responsible,
      severity: 'low',
      title: `Model card of ${m.label} is missing ${missing.join(', ')}`,
      description: `The model card (catalog entity) of ${
        m.modelRef
      } lacks required fields: ${missing.join(
        ', ',
      )}. Fill them in so users can judge whether the model fits their use.`,
      details: { missingFields: missing },
    }),
  ];
}

// -------------------------------------------------------------- evaluation

/**
 * Runs every stewardship rule over a snapshot and returns the conditions
 * that need a human, sorted by dedup key. Pure: the same input always gives
 * the same output, and the clock is `input.now`.
 *
 * Models declared `archived` yield nothing; models archived for inactivity
 * yield only their `stale-archived` condition. Tasks about a model go to its
 * owning group, or to `config.governanceGroup` when the model is orphaned;
 * migration tasks go to the owner of each consuming component.
 *
 * Severities: `critical` for an orphaned production model and for a failing
 * check on a production model; `high` for other orphans and failing checks,
 * a missing or departed steward and a migration off a deprecated model;
 * `medium` for a steward outside the owning team, the stale warning, a
 * deprecated model without successor, an erroring check and an expiring
 * waiver and a new upstream revision (`high` for an upstream licence
 * change); `low` for a model archived for inactivity and an incomplete model
 * card.
 *
 * Throws an `Error` on malformed input (invalid dates, non-Model entities,
 * duplicate models, several results for one check on the current version).
 */
export function evaluateStewardship(
  input: StewardshipInput,
  config: StewardshipConfig,
): StewardshipCondition[] {
  assertValidDate(input.now, 'now');
  const models = new Map<string, ModelEntityV1alpha1>();
  for (const model of input.models) {
    const entity: Entity = model;
    if (!isModelEntity(entity)) {
      throw new Error(
        `Not a Model entity: ${entity?.kind} ${entity?.metadata?.name}`,
      );
    }
    const ref = normalizeEntityRef(model);
    if (models.has(ref)) {
      throw new Error(`Model ${ref} appears more than once in the input`);
    }
    models.set(ref, model);
  }
  const ctx: EvaluationContext = {
    now: input.now,
    config,
    catalog: input.catalog,
    models,
    activity: byModelRef(input.activity, 'activity'),
  };
  const compliance = byModelRef(input.compliance, 'compliance');

  const conditions: StewardshipCondition[] = [];
  for (const [modelRef, model] of models) {
    if (model.spec.lifecycle === 'archived') continue;
    const namespace = model.metadata.namespace ?? 'default';
    const owner = resolveOwnerGroup(model.spec.owner, namespace, ctx.catalog);
    const m: ModelContext = {
      model,
      modelRef,
      namespace,
      label: model.metadata.title ?? model.metadata.name,
      owner,
      responsible: owner.status === 'ok' ? owner.ref! : config.governanceGroup,
      staleness: assessStaleness(
        model,
        ctx.activity.get(modelRef),
        ctx.now,
        config,
      ),
      compliance: compliance.get(modelRef),
    };
    if (m.staleness.state === 'stale') {
      conditions.push(...stalenessRule(ctx, m));
      continue;
    }
    conditions.push(
      ...ownershipRule(ctx, m),
      ...stewardRule(ctx, m),
      ...stalenessRule(ctx, m),
      ...deprecationRule(ctx, m),
      ...complianceRule(ctx, m),
      ...modelCardRule(ctx, m),
      ...upstreamDriftRule(model, m),
    );
  }
  return conditions.sort((a, b) => compareStrings(a.dedupKey, b.dedupKey));
}
