import { useCallback, useEffect, useState } from 'react';
import {
  CopyTextButton,
  InfoCard,
  Progress,
  ResponseErrorPanel,
  Table,
  TableColumn,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import {
  AccessTokenInfo,
  AccessTokenScope,
  accessTokenScopes,
  CreatedAccessToken,
} from '@internal/plugin-model-hub-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Checkbox from '@material-ui/core/Checkbox';
import FormControlLabel from '@material-ui/core/FormControlLabel';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import { accessTokensApiRef } from '../../api';

const SCOPE_HELP: Record<AccessTokenScope, string> = {
  read: 'read: list, pull and download',
  publish: 'publish: also create versions, upload, seal and set aliases',
  admin: 'admin: also governance actions and token management',
};

function date(iso?: string): string {
  return iso ? new Date(iso).toLocaleString() : 'never';
}

function status(token: AccessTokenInfo): string {
  if (token.revokedAt) return `revoked ${date(token.revokedAt)}`;
  if (Date.parse(token.expiresAt) <= Date.now()) return 'expired';
  return 'active';
}

/**
 * The signed-in user's personal access tokens: create one (name, scopes,
 * expiry) and see it once with a copy button, list them with their last use,
 * revoke them. Used on /model-hub/tokens and the user settings page.
 */
export function AccessTokensCard() {
  const api = useApi(accessTokensApiRef);
  const [tokens, setTokens] = useState<AccessTokenInfo[]>();
  const [error, setError] = useState<Error>();
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<AccessTokenScope[]>(['read']);
  const [days, setDays] = useState('90');
  const [created, setCreated] = useState<CreatedAccessToken>();
  const [busy, setBusy] = useState(false);

  const reload = useCallback(async () => {
    try {
      setTokens(await api.listTokens());
      setError(undefined);
    } catch (e) {
      setError(e as Error);
    }
  }, [api]);

  useEffect(() => {
    void reload();
  }, [reload]);

  async function create() {
    setBusy(true);
    try {
      const token = await api.createToken({
        name,
        scopes,
        expiresInDays: Number(days),
      });
      setCreated(token);
      setName('');
      await reload();
    } catch (e) {
      setError(e as Error);
    } finally {
      setBusy(false);
    }
  }

  async function revoke(id: string) {
    try {
      await api.revokeToken(id);
      if (created?.id === id) setCreated(undefined);
      await reload();
    } catch (e) {
      setError(e as Error);
    }
  }

  const columns: TableColumn<AccessTokenInfo>[] = [
    { title: 'Name', field: 'name' },
    { title: 'Scopes', render: t => t.scopes.join(', ') },
    { title: 'Created', render: t => date(t.createdAt) },
    { title: 'Expires', render: t => date(t.expiresAt) },
    { title: 'Last used', render: t => date(t.lastUsedAt) },
    { title: 'Status', render: t => status(t) },
    {
      title: '',
      render: t =>
        t.revokedAt ? null : (
          <Button
            size="small"
            color="secondary"
            aria-label={`Revoke ${t.name}`}
            onClick={() => revoke(t.id)}
          >
            Revoke
          </Button>
        ),
    },
  ];

  return (
    <InfoCard title="Personal access tokens">
      <Typography variant="body2" paragraph>
        Tokens let the <code>model-hub</code> CLI, scripts and Hugging Face
        clients call the hub as you. Save one with <code>model-hub login</code>{' '}
        or put it in <code>MODEL_HUB_TOKEN</code>; Hugging Face clients take the{' '}
        <code>hf_</code> form.
      </Typography>
      {error && <ResponseErrorPanel error={error} />}
      {created && (
        <Alert severity="success" onClose={() => setCreated(undefined)}>
          <Typography variant="body2">
            Token <strong>{created.name}</strong> created. Copy it now: it is
            not shown again.
          </Typography>
          <Box display="flex" alignItems="center">
            <code data-testid="created-token">{created.token}</code>
            <CopyTextButton text={created.token} aria-label="Copy token" />
          </Box>
          <Box display="flex" alignItems="center">
            <code data-testid="created-hf-token">{created.hfToken}</code>
            <CopyTextButton
              text={created.hfToken}
              aria-label="Copy Hugging Face token"
            />
          </Box>
        </Alert>
      )}
      <Box display="flex" flexWrap="wrap" alignItems="center" my={2}>
        <TextField
          id="model-hub-token-name"
          label="Token name"
          value={name}
          onChange={e => setName(e.target.value)}
          inputProps={{ maxLength: 100 }}
        />
        <Box mx={2}>
          <TextField
            id="model-hub-token-expiry"
            label="Expires in (days)"
            type="number"
            value={days}
            onChange={e => setDays(e.target.value)}
          />
        </Box>
        {accessTokenScopes.map(scope => (
          <FormControlLabel
            key={scope}
            label={SCOPE_HELP[scope]}
            control={
              <Checkbox
                checked={scopes.includes(scope)}
                onChange={e =>
                  setScopes(
                    e.target.checked
                      ? [...scopes, scope]
                      : scopes.filter(s => s !== scope),
                  )
                }
              />
            }
          />
        ))}
        <Button
          variant="contained"
          color="primary"
          disabled={busy || !name.trim() || scopes.length === 0}
          onClick={create}
        >
          Create token
        </Button>
      </Box>
      {tokens ? (
        <Table<AccessTokenInfo>
          title="Your tokens"
          options={{ search: false, paging: false, padding: 'dense' }}
          columns={columns}
          data={tokens}
        />
      ) : (
        !error && <Progress />
      )}
    </InfoCard>
  );
}
