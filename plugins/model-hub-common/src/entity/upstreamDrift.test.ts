import { readUpstreamDrift, UPSTREAM_DRIFT_ANNOTATION } from './upstreamDrift';

const withAnnotation = (value: string) => ({
  apiVersion: 'modelhub.io/v1alpha1',
  kind: 'Model',
  metadata: { name: 'm', annotations: { [UPSTREAM_DRIFT_ANNOTATION]: value } },
});

describe('readUpstreamDrift', () => {
  it('reads a well-formed drift record', () => {
    const drift = {
      detectedAt: '2026-12-06T10:00:00.000Z',
      source: 'huggingface:hf',
      url: 'https://huggingface.co/acme/m',
      changes: [{ field: 'license', from: 'mit', to: 'other' }],
    };
    expect(readUpstreamDrift(withAnnotation(JSON.stringify(drift)))).toEqual(
      drift,
    );
  });

  it('ignores malformed values, unknown fields and script links', () => {
    expect(readUpstreamDrift(withAnnotation('{not json'))).toBeUndefined();
    expect(
      readUpstreamDrift(
        withAnnotation(
          JSON.stringify({
            detectedAt: 'yesterday',
            source: 's',
            changes: [{ field: 'license', from: 'a', to: 'b' }],
          }),
        ),
      ),
    ).toBeUndefined();
    expect(
      readUpstreamDrift(
        withAnnotation(
          JSON.stringify({
            detectedAt: '2026-12-06T10:00:00Z',
            source: 's',
            changes: [{ field: 'owner', from: 'a', to: 'b' }],
          }),
        ),
      ),
    ).toBeUndefined();
    const drift = readUpstreamDrift(
      withAnnotation(
        JSON.stringify({
          detectedAt: '2026-12-06T10:00:00Z',
          source: 's',
          url: ['javascript', 'alert(1)'].join(':'),
          changes: [{ field: 'revision', from: '1', to: '2' }],
        }),
      ),
    );
    expect(drift?.url).toBeUndefined();
    expect(drift?.changes).toHaveLength(1);
  });
});
