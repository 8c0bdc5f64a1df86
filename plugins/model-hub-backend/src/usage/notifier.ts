import { parseEntityRef } from '@backstage/catalog-model';
import { NotificationSendOptions } from '@backstage/plugin-notifications-node';
import { entityPagePath } from '../stewardship/notifier';
import { FirstConsumer } from './PullWrites';

/** The notification topic of first cross-team consumption. */
export const REUSE_TOPIC = 'model-hub-reuse';

/** The notification telling a model's owning team that another team started using it. */
export function firstConsumerNotification(
  first: FirstConsumer,
): NotificationSendOptions {
  const team = parseEntityRef(first.team).name;
  const model = parseEntityRef(first.entityRef).name;
  return {
    recipients: { type: 'entity', entityRef: first.owner },
    payload: {
      title: `${team} started using ${model}`,
      description:
        first.via === 'pull'
          ? `A member of ${team} pulled ${model} for the first time: your model is reused across teams.`
          : `${team} declared a dependency on ${model} in the catalog: your model is reused across teams.`,
      link: entityPagePath(first.entityRef),
      severity: 'normal',
      topic: REUSE_TOPIC,
      scope: `model-hub-reuse:${first.entityRef}:${first.team}`,
      metadata: {
        entityRef: first.entityRef,
        team: first.team,
        via: first.via,
      },
    },
  };
}
