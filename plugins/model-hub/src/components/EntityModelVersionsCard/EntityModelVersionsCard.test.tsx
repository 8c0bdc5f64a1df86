import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import {
  FakeModelHubApi,
  modelEntity,
  modelVersion,
  versionFile,
} from '../../__testUtils__/fixtures';
import { renderEntityCard } from '../../__testUtils__/render';
import { EntityModelVersionsCard } from './EntityModelVersionsCard';

const sha = '0123456789abcdef'.repeat(4);

describe('EntityModelVersionsCard', () => {
  it('lists versions newest first with aliases, files, sizes, digests and verdicts', async () => {
    const unsafe = versionFile('legacy/model.pkl', {
      sha256: sha,
      size: 3 * 1024 * 1024,
      format: 'pickle',
      scan: {
        path: 'legacy/model.pkl',
        format: 'pickle',
        verdict: 'unsafe',
        sha256: sha,
        size: 3 * 1024 * 1024,
        findings: [
          {
            severity: 'critical',
            rule: 'pickle/dangerous-import',
            message: 'Imports os.system',
            location: 'data.pkl@offset 12',
          },
        ],
      },
    });
    const modelHubApi = new FakeModelHubApi({
      versions: {
        'model:default/m': [
          modelVersion('m', '1.2.0', { aliases: ['latest'] }),
          modelVersion('m', '1.10.0', {
            state: 'draft',
            files: [unsafe],
            scanVerdict: 'unsafe',
          }),
        ],
      },
    });
    await renderEntityCard(<EntityModelVersionsCard />, {
      entity: modelEntity('m'),
      modelHubApi,
    });

    const sections = await screen.findAllByRole('region', {
      name: /^Version /,
    });
    expect(sections.map(s => s.getAttribute('aria-label'))).toEqual([
      'Version 1.10.0',
      'Version 1.2.0',
    ]);
    expect(
      within(sections[1]).getByLabelText('Alias latest'),
    ).toBeInTheDocument();
    expect(within(sections[0]).getByText('Draft')).toBeInTheDocument();
    expect(within(sections[0]).getByText('3.0 MiB')).toBeInTheDocument();
    const digest = within(sections[0]).getByText('0123456789ab…');
    expect(digest).toHaveAttribute('title', sha);
    expect(
      within(sections[0]).getByRole('button', {
        name: 'Copy SHA-256 of legacy/model.pkl',
      }),
    ).toBeInTheDocument();
    expect(
      within(sections[0]).getByLabelText(
        'Scan verdict for legacy/model.pkl: Unsafe',
      ),
    ).toBeInTheDocument();

    expect(screen.queryByText('Imports os.system')).not.toBeInTheDocument();
    await userEvent.click(
      screen.getByRole('button', {
        name: 'Show scan findings for legacy/model.pkl',
      }),
    );
    expect(await screen.findByText('Imports os.system')).toBeInTheDocument();
    expect(screen.getByText('pickle/dangerous-import')).toBeInTheDocument();
  });

  it('says when no versions are published', async () => {
    await renderEntityCard(<EntityModelVersionsCard />, {
      entity: modelEntity('m'),
    });
    expect(
      await screen.findByText('No versions published yet'),
    ).toBeInTheDocument();
  });

  it('shows API errors', async () => {
    await renderEntityCard(<EntityModelVersionsCard />, {
      entity: modelEntity('m'),
      modelHubApi: new FakeModelHubApi({ error: new Error('hub unreachable') }),
    });
    expect(
      (await screen.findAllByText(/hub unreachable/)).length,
    ).toBeGreaterThan(0);
  });
});
