import { screen, within } from '@testing-library/react';
import { modelEntity } from '../../__testUtils__/fixtures';
import { renderEntityCard } from '../../__testUtils__/render';
import { EntityModelLineageCard } from './EntityModelLineageCard';

describe('EntityModelLineageCard', () => {
  it('links base model, datasets and consumers from relations', async () => {
    await renderEntityCard(<EntityModelLineageCard />, {
      entity: modelEntity('m', {
        spec: { baseModel: { ref: 'llama', relation: 'quantization' } },
        relations: [
          { type: 'derivedFrom', targetRef: 'model:default/llama' },
          { type: 'trainedOn', targetRef: 'resource:default/tickets' },
          { type: 'dependencyOf', targetRef: 'component:default/helpdesk' },
        ],
      }),
    });
    const base = screen.getByRole('list', { name: 'Base model' });
    expect(within(base).getByRole('link')).toHaveAttribute(
      'href',
      '/catalog/default/model/llama',
    );
    expect(base).toHaveTextContent('quantization');
    expect(
      within(screen.getByRole('list', { name: 'Training data' })).getByRole(
        'link',
      ),
    ).toHaveAttribute('href', '/catalog/default/resource/tickets');
    expect(
      within(screen.getByRole('list', { name: 'Consumers' })).getByRole('link'),
    ).toHaveAttribute('href', '/catalog/default/component/helpdesk');
  });

  it('falls back to the spec before the processor has emitted relations', async () => {
    await renderEntityCard(<EntityModelLineageCard />, {
      entity: modelEntity('m', {
        metadata: { namespace: 'research' },
        spec: {
          baseModel: { ref: 'llama', relation: 'fine-tune' },
          trainingData: ['corpus'],
        },
      }),
    });
    expect(
      within(screen.getByRole('list', { name: 'Base model' })).getByRole(
        'link',
      ),
    ).toHaveAttribute('href', '/catalog/research/model/llama');
    expect(
      within(screen.getByRole('list', { name: 'Training data' })).getByRole(
        'link',
      ),
    ).toHaveAttribute('href', '/catalog/research/resource/corpus');
    expect(
      screen.getByText(
        'No catalog entity declares a dependency on this model.',
      ),
    ).toBeInTheDocument();
  });
});
