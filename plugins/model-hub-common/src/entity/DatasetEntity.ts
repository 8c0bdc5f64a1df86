import { Entity, ResourceEntity } from '@backstage/catalog-model';
import schema from './Dataset.v1alpha1.schema.json';
import { DATASET_RESOURCE_TYPE, DatasetPiiClass } from './vocabulary';
import {
  checkEntityRefField,
  checkLicenseField,
  EntityValidationResult,
  lazySchemaValidator,
  runSchemaValidator,
} from './validation';

/** The JSON schema (draft-07) of the dataset convention for catalog `Resource` entities. */
export const datasetEntitySchema: object = schema;

/** `spec.dataset` of a dataset Resource: license, source and PII classification. */
export type DatasetInfo = {
  /** SPDX license expression of the data; custom terms as `LicenseRef-…`. */
  license: string;
  source: {
    /** URL of the data, e.g. `s3://bucket/prefix/`, `https://…`. */
    location: string;
    /** Digest of the snapshot: `sha256:<64 hex>` or `sha512:<128 hex>`. */
    checksum?: string;
  };
  pii: DatasetPiiClass;
  /** Storage format, e.g. `parquet`, `csv`, `jsonl`. */
  format?: string;
  /** Number of records in the snapshot. */
  records?: number;
};

/**
 * A dataset, by Model Hub convention: a catalog `Resource` with
 * `spec.type: dataset` and a `spec.dataset` block recording license, source
 * and PII classification, so model provenance can be verified.
 */
export interface DatasetEntity extends ResourceEntity {
  spec: ResourceEntity['spec'] & {
    type: typeof DATASET_RESOURCE_TYPE;
    dataset: DatasetInfo;
  };
}

const schemaValidator = lazySchemaValidator<DatasetEntity>(schema);

/** Type guard: is `entity` a Resource of `spec.type: dataset` (not a validation). */
export function isDatasetEntity(entity: Entity): entity is DatasetEntity {
  return (
    entity.kind?.toLocaleLowerCase('en-US') === 'resource' &&
    entity.spec?.type === DATASET_RESOURCE_TYPE
  );
}

/**
 * Validates a dataset Resource against the dataset convention: the schema,
 * then the SPDX syntax of the license and the owner ref.
 */
export function validateDatasetEntity(entity: unknown): EntityValidationResult {
  const e = entity as Entity | null;
  if (typeof e !== 'object' || e === null || !isDatasetEntity(e)) {
    return {
      valid: false,
      errors: [
        'not a dataset entity: expected kind Resource with spec.type dataset',
      ],
    };
  }
  const schemaError = runSchemaValidator(schemaValidator, entity);
  if (schemaError) {
    return { valid: false, errors: [schemaError] };
  }
  const errors: string[] = [];
  checkLicenseField(e.spec.dataset.license, '/spec/dataset/license', errors);
  checkEntityRefField(
    e.spec.owner,
    '/spec/owner',
    {
      kinds: ['Group', 'User'],
      defaultKind: 'Group',
      defaultNamespace: e.metadata.namespace ?? 'default',
    },
    errors,
  );
  return { valid: errors.length === 0, errors };
}
