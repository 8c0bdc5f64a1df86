import { TestApiProvider, renderInTestApp } from '@backstage/test-utils';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import {
  AccessTokenInfo,
  CreatedAccessToken,
} from '@internal/plugin-model-hub-common';
import { AccessTokensApi, accessTokensApiRef } from '../../api';
import { AccessTokensPage } from '../AccessTokensPage';
import { AccessTokensCard } from './AccessTokensCard';

jest.setTimeout(30_000);

const existing: AccessTokenInfo = {
  id: '0123456789abcdef',
  owner: 'user:default/guest',
  name: 'laptop',
  scopes: ['read', 'publish'],
  createdAt: '2026-12-01T10:00:00.000Z',
  expiresAt: '2099-03-01T10:00:00.000Z',
  lastUsedAt: '2026-12-05T09:30:00.000Z',
};

/** An in-memory stand-in for the hub's token routes. */
function fakeApi() {
  let tokens: AccessTokenInfo[] = [existing];
  const api: jest.Mocked<AccessTokensApi> = {
    listTokens: jest.fn(async () => tokens.map(t => ({ ...t }))),
    createToken: jest.fn(async request => {
      const created: CreatedAccessToken = {
        id: 'fedcba9876543210',
        owner: 'user:default/guest',
        name: request.name,
        scopes: request.scopes,
        createdAt: '2026-12-06T10:00:00.000Z',
        expiresAt: '2027-01-05T10:00:00.000Z',
        token: `mhp_fedcba9876543210_${'s'.repeat(43)}`,
        hfToken: `hf_fedcba9876543210_${'s'.repeat(43)}`,
      };
      const { token: _t, hfToken: _h, ...info } = created;
      tokens = [info, ...tokens];
      return created;
    }),
    revokeToken: jest.fn(async id => {
      tokens = tokens.map(t =>
        t.id === id ? { ...t, revokedAt: '2026-12-06T11:00:00.000Z' } : t,
      );
      return tokens.find(t => t.id === id)!;
    }),
  };
  return api;
}

describe('AccessTokensCard', () => {
  it('lists tokens with their scopes and last use', async () => {
    const api = fakeApi();
    await renderInTestApp(
      <TestApiProvider apis={[[accessTokensApiRef, api]]}>
        <AccessTokensCard />
      </TestApiProvider>,
    );
    const row = (await screen.findByText('laptop')).closest('tr')!;
    expect(within(row).getByText('read, publish')).toBeInTheDocument();
    expect(
      within(row).getByText(new Date(existing.lastUsedAt!).toLocaleString()),
    ).toBeInTheDocument();
    expect(within(row).getByText('active')).toBeInTheDocument();
  });

  it('creates a token with the chosen name, scopes and expiry and shows it once', async () => {
    const api = fakeApi();
    await renderInTestApp(
      <TestApiProvider apis={[[accessTokensApiRef, api]]}>
        <AccessTokensPage />
      </TestApiProvider>,
    );
    await screen.findByText('laptop');
    const create = screen.getByRole('button', { name: 'Create token' });
    expect(create).toBeDisabled();
    await userEvent.type(screen.getByLabelText('Token name'), 'ci publisher');
    await userEvent.click(screen.getByLabelText(/^publish:/));
    const days = screen.getByLabelText('Expires in (days)');
    await userEvent.clear(days);
    await userEvent.type(days, '30');
    await userEvent.click(create);

    await waitFor(() =>
      expect(api.createToken).toHaveBeenCalledWith({
        name: 'ci publisher',
        scopes: ['read', 'publish'],
        expiresInDays: 30,
      }),
    );
    expect(await screen.findByTestId('created-token')).toHaveTextContent(
      /^mhp_fedcba9876543210_s{43}$/,
    );
    expect(screen.getByTestId('created-hf-token')).toHaveTextContent(
      /^hf_fedcba9876543210_/,
    );
    expect(
      screen.getByRole('button', { name: 'Copy token' }),
    ).toBeInTheDocument();
    // The list is reloaded and shows the new token, never its secret.
    await waitFor(() => expect(api.listTokens).toHaveBeenCalledTimes(2));
    const row = (await screen.findAllByText('ci publisher'))
      .map(e => e.closest('tr'))
      .find(Boolean)!;
    expect(within(row).getByText('active')).toBeInTheDocument();
    expect(within(row).queryByText(/mhp_/)).toBeNull();

    // Dismissed, the secret is gone from the page.
    await userEvent.click(screen.getByRole('button', { name: /close/i }));
    expect(screen.queryByTestId('created-token')).toBeNull();
  });

  it('revokes a token and shows it as revoked', async () => {
    const api = fakeApi();
    await renderInTestApp(
      <TestApiProvider apis={[[accessTokensApiRef, api]]}>
        <AccessTokensCard />
      </TestApiProvider>,
    );
    await userEvent.click(
      await screen.findByRole('button', { name: 'Revoke laptop' }),
    );
    expect(api.revokeToken).toHaveBeenCalledWith(existing.id);
    const row = (await screen.findByText(/^revoked /)).closest('tr')!;
    expect(within(row).getByText('laptop')).toBeInTheDocument();
    expect(
      within(row).queryByRole('button', { name: 'Revoke laptop' }),
    ).toBeNull();
  });

  it('shows the server error when the list cannot be loaded', async () => {
    const api = fakeApi();
    api.listTokens.mockRejectedValue(new Error('Only users have tokens'));
    await renderInTestApp(
      <TestApiProvider apis={[[accessTokensApiRef, api]]}>
        <AccessTokensCard />
      </TestApiProvider>,
    );
    expect(
      (await screen.findAllByText(/Only users have tokens/)).length,
    ).toBeGreaterThan(0);
  });
});
