import {
  ModelEntityV1alpha1,
  readUpstreamDrift,
} from '@internal/plugin-model-hub-common';
import { makeCondition } from './condition';
import { StewardshipCondition } from './types';

const WHAT: Record<string, string> = {
  revision: 'a new upstream revision',
  license: 'a licence change',
};

/**
 * Upstream drift: an ingested model changed at its source (new revision,
 * new licence), as the ingestion module recorded it on the entity. The
 * owning team reviews it; a licence change is `high`, a new revision
 * `medium`. Each drift (by detection time) is its own task.
 */
export function upstreamDriftRule(
  model: ModelEntityV1alpha1,
  m: { modelRef: string; label: string; responsible: string },
): StewardshipCondition[] {
  const drift = readUpstreamDrift(model);
  if (!drift) return [];
  const license = drift.changes.find(c => c.field === 'license');
  const what = drift.changes.map(c => WHAT[c.field]).join(' and ');
  const lines = drift.changes.map(c => `${c.field} ${c.from} → ${c.to}`);
  return [
    makeCondition({
      kind: 'upstream-drift',
      modelRef: m.modelRef,
      assignee: m.responsible,
      severity: license ? 'high' : 'medium',
      discriminator: drift.detectedAt,
      title: `Model ${m.label} changed upstream: ${what}`,
      description: `The source ${drift.source} of model ${
        m.modelRef
      } changed (${lines.join('; ')}), seen ${drift.detectedAt}. ${
        license
          ? 'Check that the new licence still allows your use, then close this task.'
          : 'Review the change upstream before consumers pick it up, then close this task.'
      }`,
      details: {
        source: drift.source,
        detectedAt: drift.detectedAt,
        url: drift.url ?? null,
        changes: drift.changes.map(c => ({ ...c })),
      },
    }),
  ];
}
