import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { identityApiRef } from '@backstage/core-plugin-api';
import {
  mockApis,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/test-utils';
import { FakeModelHubApi } from '../../__testUtils__/fixtures';
import { GauntletPromotionRequest, modelHubApiRef } from '../../api';
import { WithdrawPromotionButton } from './WithdrawPromotionButton';

const request = (
  extra: Partial<GauntletPromotionRequest> = {},
): GauntletPromotionRequest => ({
  id: 12,
  entityRef: 'model:default/m',
  tier: 'official',
  state: 'pending',
  requestedBy: 'user:default/alice',
  requestedAt: '2026-11-20T10:00:00.000Z',
  ...extra,
});

async function render(
  req: GauntletPromotionRequest,
  me: string,
  api = new FakeModelHubApi(),
) {
  const onDone = jest.fn();
  await renderInTestApp(
    <TestApiProvider
      apis={[
        [modelHubApiRef, api],
        [identityApiRef, mockApis.identity({ userEntityRef: me })],
      ]}
    >
      <WithdrawPromotionButton request={req} onDone={onDone} />
      <span>rendered</span>
    </TestApiProvider>,
  );
  await screen.findByText('rendered');
  return { api, onDone };
}

// Rendering a test app is slow on a loaded machine.
jest.setTimeout(30_000);

describe('WithdrawPromotionButton', () => {
  it('lets the requester withdraw their pending request, then reloads the card', async () => {
    const { api, onDone } = await render(request(), 'user:default/Alice');
    await userEvent.click(
      await screen.findByRole('button', {
        name: 'Withdraw the request for the official tier',
      }),
    );
    expect(api.actions).toEqual([
      {
        target: 'model:default/m',
        action: { type: 'withdraw-promotion', requestId: 12 },
      },
    ]);
    expect(onDone).toHaveBeenCalledTimes(1);
  });

  it.each([
    ['anyone else', request(), 'user:default/bob'],
    [
      'a decided request',
      request({ state: 'withdrawn' }),
      'user:default/alice',
    ],
  ])('is not shown to %s', async (_what, req, me) => {
    await render(req, me);
    // Give the identity lookup time to resolve before asserting absence.
    await new Promise(r => setTimeout(r, 100));
    expect(screen.queryByRole('button', { name: /Withdraw/ })).toBeNull();
  });

  it("shows the hub's refusal in one line and keeps the request", async () => {
    const api = new FakeModelHubApi();
    api.refuse =
      'Only user:default/alice, who requested promotion request 12, can withdraw it; governance rejects it instead';
    const { onDone } = await render(request(), 'user:default/alice', api);
    await userEvent.click(
      await screen.findByRole('button', { name: /Withdraw/ }),
    );
    expect(await screen.findByRole('alert')).toHaveTextContent(
      /^Only user:default\/alice, who requested promotion request 12, can withdraw it/,
    );
    expect(onDone).not.toHaveBeenCalled();
    expect(api.actions).toEqual([]);
  });
});
