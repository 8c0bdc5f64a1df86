import { fireEvent, screen, waitFor } from '@testing-library/react';
import { TestApiProvider, renderInTestApp } from '@backstage/test-utils';
import { AdminApi, adminApiRef } from '../../api';
import {
  PAGE_FRAME_SHEETS,
  recordInsertedSheets,
} from '../../__testUtils__/styleSheets';
import { AuditPage } from './AuditPage';

jest.setTimeout(30_000);

describe('AuditPage', () => {
  it('lists the audit trail, filters it by person and lists webhook deliveries', async () => {
    const api: AdminApi = {
      listAudit: jest.fn(async q => [
        {
          id: 1,
          eventId: 'alias-set',
          outcome: 'succeeded' as const,
          actor: q.actor ?? 'user:default/sophie.laurent',
          entityRef: 'model:default/sentiment-classifier',
          team: 'group:default/marketing',
          occurredAt: '2026-12-06T10:00:00.000Z',
          meta: { model: 'model:default/sentiment-classifier' },
        },
      ]),
      downloadAuditCsv: jest.fn(),
      listDeliveries: jest.fn(async () => [
        {
          id: 7,
          webhook: 'ci',
          eventId: 'e1',
          eventType: 'alias.moved' as const,
          entityRef: 'model:default/sentiment-classifier',
          attempt: 2,
          outcome: 'delivered' as const,
          httpStatus: 200,
          attemptedAt: '2026-12-06T10:00:01.000Z',
          durationMs: 12,
        },
      ]),
    };
    await renderInTestApp(
      <TestApiProvider apis={[[adminApiRef, api]]}>
        <AuditPage />
      </TestApiProvider>,
    );
    expect(await screen.findByLabelText('Audit trail')).toHaveTextContent(
      'alias-set',
    );
    expect(
      await screen.findByLabelText('Webhook deliveries'),
    ).toHaveTextContent('alias.moved');
    fireEvent.change(screen.getByLabelText('Person'), {
      target: { value: 'user:default/daniel.kim' },
    });
    fireEvent.click(screen.getByText('Filter'));
    await waitFor(() =>
      expect(api.listAudit).toHaveBeenLastCalledWith({
        actor: 'user:default/daniel.kim',
      }),
    );
    expect(
      await screen.findByText('user:default/daniel.kim'),
    ).toBeInTheDocument();
  });

  it('answers typing and filtering without building the style sheets of the page again', async () => {
    const api: AdminApi = {
      listAudit: jest.fn(async () => []),
      downloadAuditCsv: jest.fn(),
      listDeliveries: jest.fn(async () => []),
    };
    await renderInTestApp(
      <TestApiProvider apis={[[adminApiRef, api]]}>
        <AuditPage />
      </TestApiProvider>,
    );
    await screen.findByText('No audit records match.');
    await screen.findByText(/No webhook deliveries yet/);
    const sheets = recordInsertedSheets();
    fireEvent.change(screen.getByLabelText('Team'), {
      target: { value: 'group:default/marketing' },
    });
    fireEvent.click(screen.getByText('Filter'));
    await waitFor(() =>
      expect(api.listAudit).toHaveBeenLastCalledWith({
        team: 'group:default/marketing',
      }),
    );
    await screen.findByText('No audit records match.');
    sheets.stop();
    for (const sheet of PAGE_FRAME_SHEETS) {
      expect(sheets.names).not.toContain(sheet);
    }
  });
});
