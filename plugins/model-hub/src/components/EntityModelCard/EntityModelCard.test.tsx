import { screen, within } from '@testing-library/react';
import { modelEntity } from '../../__testUtils__/fixtures';
import { renderEntityCard } from '../../__testUtils__/render';
import { EntityModelCard } from './EntityModelCard';

describe('EntityModelCard', () => {
  it('shows the birth certificate with links and metrics', async () => {
    const entity = modelEntity('support-assistant', {
      metadata: { description: 'Drafts answers to support tickets.' },
      spec: {
        license: 'Apache-2.0',
        intendedUse: 'Drafting replies reviewed by an agent.',
        outOfScopeUse: 'Sending replies without review.',
        limitations: 'English only.',
        baseModel: { ref: 'llama-3-8b', relation: 'fine-tune' },
        trainingData: ['support-tickets-2025'],
        metrics: [
          {
            name: 'accuracy',
            value: 0.91,
            dataset: 'support-eval',
            slice: 'language=en',
          },
        ],
        evaluation: {
          dataset: 'support-eval',
          file: 'eval/predictions.csv',
          labelColumn: 'label',
          predictionColumn: 'prediction',
          sensitiveAttributes: ['region'],
        },
      },
    });
    await renderEntityCard(<EntityModelCard />, { entity });

    expect(
      screen.getByText('Drafts answers to support tickets.'),
    ).toBeInTheDocument();
    expect(
      screen.getByText('Drafting replies reviewed by an agent.'),
    ).toBeInTheDocument();
    expect(
      screen.getByText('Sending replies without review.'),
    ).toBeInTheDocument();
    expect(screen.getByText('English only.')).toBeInTheDocument();
    expect(screen.getByText('Apache-2.0')).toBeInTheDocument();
    const base = screen.getByRole('region', { name: 'Base model' });
    expect(within(base).getByRole('link')).toHaveAttribute(
      'href',
      '/catalog/default/model/llama-3-8b',
    );
    expect(base).toHaveTextContent('(fine-tune)');
    expect(
      within(screen.getByRole('region', { name: 'Training data' })).getByRole(
        'link',
      ),
    ).toHaveAttribute('href', '/catalog/default/resource/support-tickets-2025');
    const metrics = screen.getByRole('table', { name: 'Metrics' });
    expect(metrics).toHaveTextContent('accuracy');
    expect(metrics).toHaveTextContent('0.91');
    expect(metrics).toHaveTextContent('language=en');
    expect(
      screen.getByRole('table', { name: 'Evaluation setup' }),
    ).toHaveTextContent('eval/predictions.csv');
  });

  it('says what is missing instead of showing blanks', async () => {
    await renderEntityCard(<EntityModelCard />, {
      entity: modelEntity('bare'),
    });
    expect(screen.getByText('No metrics reported.')).toBeInTheDocument();
    expect(screen.getByText('No training data declared.')).toBeInTheDocument();
    expect(
      screen.getByText('Trained from scratch (no base model).'),
    ).toBeInTheDocument();
    expect(screen.getAllByText('Not documented.')).toHaveLength(3);
  });
});
