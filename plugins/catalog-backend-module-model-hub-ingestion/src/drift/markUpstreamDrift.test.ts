import { Entity } from '@backstage/catalog-model';
import {
  readUpstreamDrift,
  UPSTREAM_DRIFT_ANNOTATION,
} from '@internal/plugin-model-hub-common';
import { INGESTION_ANNOTATIONS } from '../annotations';
import { contentHash } from '../delta/DeltaTracker';
import { markUpstreamDrift } from './markUpstreamDrift';

const model = (revision: string, license: string): Entity => ({
  apiVersion: 'modelhub.io/v1alpha1',
  kind: 'Model',
  metadata: {
    name: 'hf-hf-acme-m',
    annotations: {
      [INGESTION_ANNOTATIONS.source]: 'huggingface:hf',
      [INGESTION_ANNOTATIONS.revision]: revision,
      [INGESTION_ANNOTATIONS.sourceUrl]: 'https://huggingface.co/acme/m',
    },
  },
  spec: { license },
});

describe('markUpstreamDrift', () => {
  it('a first sighting is not drift', () => {
    const e = model('a1', 'MIT');
    expect(markUpstreamDrift(undefined, e, '2026-12-06T10:00:00Z')).toBe(e);
  });

  it('records a new revision and a licence change, with when and where', () => {
    const marked = markUpstreamDrift(
      model('a1', 'MIT'),
      model('b2', 'LicenseRef-hf-other'),
      '2026-12-06T10:00:00.000Z',
    );
    expect(readUpstreamDrift(marked)).toEqual({
      detectedAt: '2026-12-06T10:00:00.000Z',
      source: 'huggingface:hf',
      url: 'https://huggingface.co/acme/m',
      changes: [
        { field: 'revision', from: 'a1', to: 'b2' },
        { field: 'license', from: 'MIT', to: 'LicenseRef-hf-other' },
      ],
    });
  });

  it('carries the last drift over unchanged, so an unchanged model hashes the same', () => {
    const drifted = markUpstreamDrift(
      model('a1', 'MIT'),
      model('b2', 'MIT'),
      '2026-12-06T10:00:00.000Z',
    );
    const again = markUpstreamDrift(
      drifted,
      model('b2', 'MIT'),
      '2026-12-07T10:00:00.000Z',
    );
    expect(again.metadata.annotations![UPSTREAM_DRIFT_ANNOTATION]).toBe(
      drifted.metadata.annotations![UPSTREAM_DRIFT_ANNOTATION],
    );
    expect(contentHash(again)).toBe(contentHash(drifted));
  });
});
