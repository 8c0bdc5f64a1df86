import { Entity, RELATION_DEPENDENCY_OF } from '@backstage/catalog-model';
import { makeCondition } from '../condition';
import { assessStaleness } from '../lifecycle';
import {
  compareStrings,
  kindOfRef,
  normalizeEntityRef,
  tryNormalizeEntityRef,
} from '../refs';
import { resolveEntityOwnerAssignee } from '../resolve';
import { EvaluationContext, ModelContext, text } from './context';

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

/**
 * A deprecated model: a migration task per consuming service, or a task for
 * the owning team when there is no usable successor.
 */
export function deprecationRule(ctx: EvaluationContext, m: ModelContext) {
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
