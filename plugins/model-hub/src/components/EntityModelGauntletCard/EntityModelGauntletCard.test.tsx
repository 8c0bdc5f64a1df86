import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { ResponseError } from '@backstage/errors';
import { FakeModelHubApi, modelEntity } from '../../__testUtils__/fixtures';
import { renderEntityCard } from '../../__testUtils__/render';
import { GauntletResult, ModelGauntlet } from '../../api';
import { EntityModelGauntletCard } from './EntityModelGauntletCard';

const REF = 'model:default/m';

function result(
  checkId: string,
  status: GauntletResult['status'],
  summary: string,
  extra: Partial<GauntletResult> = {},
): GauntletResult {
  return {
    id: checkId.length,
    runId: 7,
    entityRef: REF,
    version: '1.2.0',
    tier: 'official',
    checkId,
    checkVersion: '1',
    status,
    summary,
    evidence: {},
    configSha256: 'c'.repeat(64),
    inputsSha256: 'i'.repeat(64),
    startedAt: '2026-11-20T10:00:00.000Z',
    finishedAt: '2026-11-20T10:00:01.000Z',
    durationMs: 1000,
    ...extra,
  };
}

function gauntlet(overrides: Partial<ModelGauntlet> = {}): ModelGauntlet {
  return {
    entityRef: REF,
    requestedTier: 'official',
    effectiveTier: 'community',
    reason: 'official gate failed: fairness is fail',
    status: 'failed',
    version: '1.2.0',
    gates: [],
    checks: [],
    activeRuns: [],
    approvals: [],
    waivers: [],
    ...overrides,
  };
}

function api(g: ModelGauntlet) {
  return new FakeModelHubApi({
    gauntlet: { [REF]: { available: true, gauntlet: g } },
  });
}

describe('EntityModelGauntletCard', () => {
  it('shows per-check results and expands evidence and metrics', async () => {
    const g = gauntlet({
      checks: [
        result('security', 'pass', 'No unsafe files found', {
          id: 1,
          evidence: { scannedFiles: 3, findings: [] },
        }),
        result('license', 'warn', 'License apache-2.0 needs review', {
          id: 2,
        }),
        result('fairness', 'fail', 'Parity gap 0.31 exceeds 0.1', {
          id: 3,
          evidence: { groups: { a: 0.9, b: 0.59 }, threshold: 0.1 },
          metrics: { parityGap: 0.31 },
        }),
        result('performance', 'error', 'Evaluation crashed', { id: 4 }),
        result('provenance', 'not-applicable', 'Not required', {
          id: 5,
          reason: 'community tier',
        }),
      ],
      waivers: [
        {
          id: 9,
          entityRef: REF,
          checkId: 'license',
          reason: 'Legal reviewed the licence',
          approvedBy: 'user:default/gov',
          createdAt: '2026-11-01T00:00:00.000Z',
          expiresAt: '2026-12-31T00:00:00.000Z',
          active: true,
        },
      ],
      approvals: [
        {
          id: 4,
          entityRef: REF,
          tier: 'official',
          state: 'pending',
          requestedBy: 'user:default/owner',
          requestedAt: '2026-11-02T00:00:00.000Z',
          approvals: [
            {
              id: 1,
              approver: 'user:default/gov',
              version: '1.2.0',
              manifestSha256: 'a'.repeat(64),
              runId: 3,
              approvedAt: '2026-11-03T00:00:00.000Z',
              invalidatedAt: '2026-11-05T00:00:00.000Z',
              invalidatedReason:
                'the gauntlet re-ran on 2026-11-05T00:00:00.000Z (run 8)',
            },
          ],
        },
      ],
    });
    await renderEntityCard(<EntityModelGauntletCard />, {
      entity: modelEntity('m', { spec: { tier: 'official' } }),
      modelHubApi: api(g),
    });

    expect(
      await screen.findByText('official gate failed: fairness is fail'),
    ).toBeInTheDocument();
    expect(screen.getByText('community')).toBeInTheDocument();
    expect(screen.getByText('1.2.0')).toBeInTheDocument();

    const list = screen.getByRole('list', { name: 'Gauntlet checks' });
    expect(within(list).getAllByRole('listitem')).toHaveLength(5);
    expect(
      screen.getByLabelText('security check status: pass'),
    ).toBeInTheDocument();
    expect(
      screen.getByLabelText('license check status: warn'),
    ).toBeInTheDocument();
    expect(
      screen.getByLabelText('fairness check status: fail'),
    ).toBeInTheDocument();
    expect(
      screen.getByLabelText('performance check status: error'),
    ).toBeInTheDocument();
    expect(
      screen.getByLabelText('provenance check status: not applicable'),
    ).toBeInTheDocument();
    expect(screen.getByText('Parity gap 0.31 exceeds 0.1')).toBeInTheDocument();

    // Evidence is collapsed until asked for.
    expect(
      screen.queryByLabelText('fairness evidence'),
    ).not.toBeInTheDocument();
    await userEvent.click(
      screen.getByRole('button', { name: 'fairness check: show evidence' }),
    );
    const evidence = await screen.findByLabelText('fairness evidence');
    expect(JSON.parse(evidence.textContent!)).toEqual({
      groups: { a: 0.9, b: 0.59 },
      threshold: 0.1,
    });
    const metrics = screen.getByRole('table', { name: 'fairness metrics' });
    expect(within(metrics).getByText('parityGap')).toBeInTheDocument();
    expect(within(metrics).getByText('0.31')).toBeInTheDocument();

    const waivers = screen.getByRole('table', { name: 'Waivers' });
    expect(
      within(waivers).getByText('Legal reviewed the licence'),
    ).toBeInTheDocument();
    expect(within(waivers).getByText('user:default/gov')).toBeInTheDocument();
    expect(within(waivers).getByText('2026-12-31')).toBeInTheDocument();

    const approvals = screen.getByRole('table', {
      name: 'Promotion requests',
    });
    expect(within(approvals).getByText('pending')).toBeInTheDocument();

    // Four-eyes: an approval that stopped counting is announced with its reason.
    const notice = screen.getByRole('status', {
      name: 'Invalidated approvals',
    });
    expect(notice).toHaveTextContent(
      'Approval by user:default/gov (promotion to official) was invalidated: the gauntlet re-ran on 2026-11-05T00:00:00.000Z (run 8)',
    );
  });

  it('says honestly that the gauntlet has not run, with the reason', async () => {
    await renderEntityCard(<EntityModelGauntletCard />, {
      entity: modelEntity('m', { spec: { tier: 'official' } }),
      modelHubApi: api(
        gauntlet({
          effectiveTier: null,
          status: 'not-run',
          version: null,
          reason: 'No sealed version to check',
        }),
      ),
    });
    expect(
      await screen.findByText(
        'The compliance gauntlet has not run for this model yet',
      ),
    ).toBeInTheDocument();
    expect(
      screen.getAllByText('No sealed version to check').length,
    ).toBeGreaterThan(0);
    expect(screen.getByText('none')).toBeInTheDocument();
    expect(screen.queryByRole('list', { name: 'Gauntlet checks' })).toBeNull();
    expect(screen.queryByText(/Version checked/)).toBeNull();
  });

  it('shows the error when the backend fails', async () => {
    const response = new Response(
      JSON.stringify({
        error: { name: 'NotAllowedError', message: 'no read access' },
        response: { statusCode: 403 },
      }),
      { status: 403, headers: { 'content-type': 'application/json' } },
    );
    const error = await ResponseError.fromResponse(response as any);
    await renderEntityCard(<EntityModelGauntletCard />, {
      entity: modelEntity('m'),
      modelHubApi: new FakeModelHubApi({ error }),
    });
    expect(
      (await screen.findAllByText(/no read access/)).length,
    ).toBeGreaterThan(0);
    expect(screen.queryByText(/compliance gauntlet has not run/)).toBeNull();
  });

  it('falls back to the annotation when the backend answers 404', async () => {
    await renderEntityCard(<EntityModelGauntletCard />, {
      entity: modelEntity('m', {
        metadata: { annotations: { 'modelhub.io/gauntlet-status': 'failed' } },
      }),
    });
    expect(await screen.findByText('failed')).toBeInTheDocument();
    expect(
      screen.getByText(/Per-check results are not available/),
    ).toBeInTheDocument();
  });

  it('falls back to the empty state without annotation on 404', async () => {
    await renderEntityCard(<EntityModelGauntletCard />, {
      entity: modelEntity('m', { spec: { tier: 'official' } }),
    });
    expect(
      await screen.findByText(
        'The compliance gauntlet has not run for this model yet',
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByText(/official tier this model requests is not earned/),
    ).toBeInTheDocument();
  });
});
