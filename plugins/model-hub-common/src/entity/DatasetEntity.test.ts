import {
  datasetEntitySchema,
  isDatasetEntity,
  validateDatasetEntity,
} from './DatasetEntity';
import { DATASET_PII_CLASSES } from './vocabulary';

function validDataset(): any {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Resource',
    metadata: { name: 'support-tickets-2024' },
    spec: {
      type: 'dataset',
      owner: 'group:default/customer-support',
      dataset: {
        license: 'LicenseRef-example-internal',
        source: {
          location: 's3://example-datalake/support/tickets/2024/',
          checksum: `sha256:${'ab'.repeat(32)}`,
        },
        pii: 'personal',
        format: 'jsonl',
        records: 184212,
      },
    },
  };
}

function errorsAfter(mutate: (d: any) => void): string[] {
  const d = validDataset();
  mutate(d);
  return validateDatasetEntity(d).errors;
}

describe('validateDatasetEntity', () => {
  it('accepts a complete dataset and a minimal one', () => {
    expect(validateDatasetEntity(validDataset())).toEqual({
      valid: true,
      errors: [],
    });
    expect(
      errorsAfter(d => {
        delete d.spec.dataset.format;
        delete d.spec.dataset.records;
        delete d.spec.dataset.source.checksum;
      }),
    ).toEqual([]);
  });

  it('rejects entities that are not dataset resources', () => {
    expect(errorsAfter(d => (d.spec.type = 'database'))).toEqual([
      'not a dataset entity: expected kind Resource with spec.type dataset',
    ]);
  });

  it.each<[string, (d: any) => void, string]>([
    [
      'a missing dataset block',
      d => delete d.spec.dataset,
      "/spec must have required property 'dataset'",
    ],
    [
      'a missing license',
      d => delete d.spec.dataset.license,
      "/spec/dataset must have required property 'license'",
    ],
    [
      'a missing source',
      d => delete d.spec.dataset.source,
      "/spec/dataset must have required property 'source'",
    ],
    [
      'a missing location',
      d => delete d.spec.dataset.source.location,
      "/spec/dataset/source must have required property 'location'",
    ],
    [
      'a location that is not a URL',
      d => (d.spec.dataset.source.location = 'the data lake'),
      '/spec/dataset/source/location must match pattern',
    ],
    [
      'a missing PII class',
      d => delete d.spec.dataset.pii,
      "/spec/dataset must have required property 'pii'",
    ],
    [
      'an unknown PII class',
      d => (d.spec.dataset.pii = 'some'),
      '/spec/dataset/pii must be equal to one of the allowed values: none, pseudonymized, personal, sensitive',
    ],
    [
      'a checksum without algorithm',
      d => (d.spec.dataset.source.checksum = 'ab'.repeat(32)),
      '/spec/dataset/source/checksum must match pattern',
    ],
    [
      'a truncated checksum',
      d => (d.spec.dataset.source.checksum = 'sha256:abc'),
      '/spec/dataset/source/checksum must match pattern',
    ],
    [
      'a negative record count',
      d => (d.spec.dataset.records = -1),
      '/spec/dataset/records must be >= 0',
    ],
    [
      'a misspelt field',
      d => (d.spec.dataset.licence = 'MIT'),
      "/spec/dataset must NOT have additional property 'licence'",
    ],
    [
      'a missing owner',
      d => delete d.spec.owner,
      "/spec must have required property 'owner'",
    ],
  ])('rejects %s', (_name, mutate, message) => {
    const errors = errorsAfter(mutate);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain(message);
  });

  it('checks the SPDX syntax of the license and the owner ref', () => {
    expect(
      errorsAfter(d => (d.spec.dataset.license = 'CC-BY-4.0 AND')),
    ).toEqual([
      '/spec/dataset/license is not a valid SPDX license expression: expected a license id, found end of expression',
    ]);
    expect(errorsAfter(d => (d.spec.owner = 'component:default/x'))).toEqual([
      '/spec/owner must reference a Group or User, got kind component in "component:default/x"',
    ]);
  });
});

describe('isDatasetEntity', () => {
  it('recognises resources of type dataset', () => {
    expect(isDatasetEntity(validDataset())).toBe(true);
    expect(isDatasetEntity({ ...validDataset(), kind: 'Component' })).toBe(
      false,
    );
  });
});

describe('datasetEntitySchema', () => {
  it('uses the exported PII vocabulary and has a valid example', () => {
    const schema = datasetEntitySchema as any;
    expect(
      schema.allOf[1].properties.spec.properties.dataset.properties.pii.enum,
    ).toEqual([...DATASET_PII_CLASSES]);
    for (const example of schema.examples) {
      expect(validateDatasetEntity(example)).toEqual({
        valid: true,
        errors: [],
      });
    }
  });
});
