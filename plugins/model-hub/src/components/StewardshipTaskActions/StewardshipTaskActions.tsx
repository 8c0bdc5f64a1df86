import { useState } from 'react';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { Link } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import Autocomplete from '@material-ui/lab/Autocomplete';
import useAsync from 'react-use/esm/useAsync';
import { modelHubApiRef, StewardshipTask } from '../../api';

/** Task kinds about the model itself (not a consumer's migration). */
const MODEL_TASKS = new Set<StewardshipTask['kind']>([
  'orphaned',
  'steward-missing',
  'stale-warning',
  'stale-archived',
  'deprecated-no-successor',
  'check-failing',
  'model-card-incomplete',
]);
const DEPRECATE_TASKS = new Set<StewardshipTask['kind']>([
  'stale-warning',
  'stale-archived',
  'deprecated-no-successor',
]);

type Action = 'snooze' | 'waive' | 'steward' | 'archive';

const TITLES: Record<Action, string> = {
  snooze: 'Snooze task',
  waive: 'Ask to waive task',
  steward: 'Reassign steward',
  archive: 'Archive model',
};

function inDays(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

/**
 * The scaffolder URL of the deprecation template, pre-filled with the
 * model (and its declared successor, if any).
 */
export function deprecationTemplateUrl(task: StewardshipTask): string {
  const successor = task.details.successor;
  const formData = {
    model: task.entityRef,
    ...(typeof successor === 'string' && successor ? { successor } : {}),
  };
  return `/create/templates/default/deprecate-model?${new URLSearchParams({
    formData: JSON.stringify(formData),
  })}`;
}

/**
 * The scaffolder URL of the migration template for a `deprecated-migration`
 * task, pre-filled with the consumer, the deprecated model and its successor
 * (when the hub knows one); undefined for other tasks.
 */
export function migrationTemplateUrl(
  task: StewardshipTask,
): string | undefined {
  const { consumer, successor } = task.details;
  if (task.kind !== 'deprecated-migration' || typeof consumer !== 'string') {
    return undefined;
  }
  const formData = {
    consumer,
    deprecatedModel: task.entityRef,
    ...(typeof successor === 'string' && successor ? { successor } : {}),
  };
  return `/create/templates/default/migrate-consumer?${new URLSearchParams({
    formData: JSON.stringify(formData),
  })}`;
}

function StewardPicker(props: {
  value: string;
  onChange: (ref: string) => void;
}) {
  const catalogApi = useApi(catalogApiRef);
  const { value: users = [], loading } = useAsync(async () => {
    const { items } = await catalogApi.getEntities({
      filter: { kind: 'User' },
      fields: ['kind', 'metadata.name', 'metadata.namespace', 'spec.profile'],
    });
    return items
      .filter(u => u.metadata.annotations?.['modelhub.io/departed'] !== 'true')
      .map(u => ({
        ref: stringifyEntityRef(u).toLocaleLowerCase('en-US'),
        label:
          (u.spec?.profile as { displayName?: string } | undefined)
            ?.displayName ?? u.metadata.name,
      }));
  }, [catalogApi]);
  return (
    <Autocomplete
      id="task-new-steward"
      options={users}
      loading={loading}
      getOptionLabel={o => `${o.label} (${o.ref})`}
      value={users.find(u => u.ref === props.value) ?? null}
      onChange={(_e, v) => props.onChange(v?.ref ?? '')}
      renderInput={params => (
        <TextField {...params} label="New steward" required margin="dense" />
      )}
    />
  );
}

/**
 * The actions that resolve one stewardship task: snooze, ask to waive (or
 * approve someone else's request), reassign the steward, archive the model,
 * and open the deprecation template pre-filled. Calls the hub as the
 * signed-in person; `onDone` gets the hub's one-line outcome, a refusal is
 * shown in one line under the buttons.
 */
export function StewardshipTaskActions(props: {
  task: StewardshipTask;
  onDone: (message: string) => void;
}) {
  const { task, onDone } = props;
  const api = useApi(modelHubApiRef);
  const [open, setOpen] = useState<Action | undefined>();
  const [until, setUntil] = useState(inDays(14));
  const [reason, setReason] = useState('');
  const [steward, setSteward] = useState('');
  const [busy, setBusy] = useState(false);
  const [refusal, setRefusal] = useState<string | undefined>();
  const label = task.title;

  const run = async (call: () => Promise<{ message: string }>) => {
    setBusy(true);
    setRefusal(undefined);
    try {
      const result = await call();
      setOpen(undefined);
      onDone(result.message);
    } catch (error) {
      setOpen(undefined);
      setRefusal((error as Error).message.split('\n')[0]);
    } finally {
      setBusy(false);
    }
  };

  const submit = () => {
    switch (open) {
      case 'snooze':
        return run(() =>
          api.actOnTask(task.id, {
            type: 'snooze',
            until,
            ...(reason ? { reason } : {}),
          }),
        );
      case 'waive':
        return run(() =>
          api.actOnTask(task.id, { type: 'request-waiver', until, reason }),
        );
      case 'steward':
        return run(() => api.reassignSteward(task.entityRef, steward));
      case 'archive':
        return run(() => api.archiveModel(task.entityRef, reason));
      default:
        return undefined;
    }
  };

  const openDialog = (action: Action) => {
    setReason('');
    setUntil(inDays(action === 'waive' ? 90 : 14));
    setOpen(action);
  };

  const migrateUrl = migrationTemplateUrl(task);
  const needsReason = open === 'waive' || open === 'archive';
  const needsDate = open === 'snooze' || open === 'waive';
  const small = { size: 'small' as const, disabled: busy };
  return (
    <div>
      <Button
        {...small}
        onClick={() => openDialog('snooze')}
        aria-label={`Snooze: ${label}`}
      >
        Snooze
      </Button>
      {task.pendingWaiver ? (
        <Button
          {...small}
          onClick={() =>
            run(() => api.actOnTask(task.id, { type: 'approve-waiver' }))
          }
          aria-label={`Approve waiver: ${label}`}
        >
          Approve waiver
        </Button>
      ) : (
        <Button
          {...small}
          onClick={() => openDialog('waive')}
          aria-label={`Waive: ${label}`}
        >
          Waive
        </Button>
      )}
      {task.kind === 'steward-missing' && (
        <Button
          {...small}
          onClick={() => openDialog('steward')}
          aria-label={`Reassign steward: ${label}`}
        >
          Reassign steward
        </Button>
      )}
      {MODEL_TASKS.has(task.kind) && (
        <Button
          {...small}
          onClick={() => openDialog('archive')}
          aria-label={`Archive model: ${label}`}
        >
          Archive
        </Button>
      )}
      {DEPRECATE_TASKS.has(task.kind) && (
        <Button
          {...small}
          component={Link}
          to={deprecationTemplateUrl(task)}
          aria-label={`Deprecate: ${label}`}
        >
          Deprecate…
        </Button>
      )}
      {migrateUrl && (
        <Button
          {...small}
          component={Link}
          to={migrateUrl}
          aria-label={`Migrate: ${label}`}
        >
          Migrate…
        </Button>
      )}
      {task.pendingWaiver && (
        <Typography variant="caption" display="block">
          Waiver asked by {task.pendingWaiver.requestedBy} until{' '}
          {task.pendingWaiver.until.slice(0, 10)}: {task.pendingWaiver.reason}
        </Typography>
      )}
      {refusal && (
        <Typography variant="caption" color="error" role="alert">
          {refusal}
        </Typography>
      )}
      <Dialog
        open={open !== undefined}
        onClose={() => setOpen(undefined)}
        aria-labelledby={`task-action-${task.id}`}
      >
        <DialogTitle id={`task-action-${task.id}`}>
          {open ? TITLES[open] : ''}
        </DialogTitle>
        <DialogContent>
          <Typography variant="body2">{task.title}</Typography>
          {open === 'steward' && (
            <StewardPicker value={steward} onChange={setSteward} />
          )}
          {needsDate && (
            <TextField
              id={`task-${task.id}-until`}
              label="Until"
              type="date"
              value={until}
              onChange={e => setUntil(e.target.value)}
              InputLabelProps={{ shrink: true }}
              margin="dense"
              fullWidth
              required
            />
          )}
          {(needsReason || open === 'snooze') && (
            <TextField
              id={`task-${task.id}-reason`}
              label="Reason"
              value={reason}
              onChange={e => setReason(e.target.value)}
              margin="dense"
              fullWidth
              multiline
              required={needsReason}
            />
          )}
        </DialogContent>
        <DialogActions>
          <Button onClick={() => setOpen(undefined)}>Cancel</Button>
          <Button
            color="primary"
            variant="contained"
            onClick={submit}
            disabled={
              busy ||
              (needsReason && !reason.trim()) ||
              (open === 'steward' && !steward)
            }
          >
            {open ? TITLES[open] : 'OK'}
          </Button>
        </DialogActions>
      </Dialog>
    </div>
  );
}
