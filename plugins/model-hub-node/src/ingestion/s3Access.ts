import { Config } from '@backstage/config';

/**
 * Read access to the S3 (or S3-compatible) buckets where an MLflow server
 * keeps its artifacts (`modelHub.ingestion.mlflow[].s3`), so versions whose
 * download URI is `s3://bucket/key` can be imported into the hub.
 */
export interface MlflowS3Access {
  /** The only buckets the hub reads; an `s3://` URI naming another one is refused. */
  buckets: string[];
  region?: string;
  endpoint?: string;
  forcePathStyle?: boolean;
  /** Absent: the AWS SDK's default credential chain. */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** Keys asked for per S3 listing page (1-1000). Default 1000. */
  listPageSize: number;
}

/** S3 bucket naming rules (3-63 characters, lowercase, digits, dots, hyphens). */
export const S3_BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/**
 * Reads the optional `s3` section of one `modelHub.ingestion.mlflow[]` entry;
 * throws one line naming the key. The secret is never part of a message.
 */
export function readMlflowS3Access(
  config: Config,
  id: string,
): MlflowS3Access | undefined {
  const s3 = config.getOptionalConfig('s3');
  if (!s3) return undefined;
  const key = `modelHub.ingestion.mlflow[${id}].s3`;
  const buckets = s3.getStringArray('buckets');
  if (buckets.length === 0) {
    throw new Error(`${key}.buckets must name at least one bucket`);
  }
  for (const bucket of buckets) {
    if (!S3_BUCKET_NAME.test(bucket)) {
      throw new Error(
        `${key}.buckets entry "${bucket}" is not an S3 bucket name`,
      );
    }
  }
  const endpoint = s3.getOptionalString('endpoint');
  if (endpoint !== undefined && !/^https?:\/\/[^/]/.test(endpoint)) {
    throw new Error(
      `${key}.endpoint must be an http(s) URL, got "${endpoint}"`,
    );
  }
  const accessKeyId = s3.getOptionalString('accessKeyId');
  const secretAccessKey = s3.getOptionalString('secretAccessKey');
  if ((accessKeyId === undefined) !== (secretAccessKey === undefined)) {
    throw new Error(
      `${key} needs both accessKeyId and secretAccessKey, or neither (the AWS SDK credential chain)`,
    );
  }
  const listPageSize = s3.getOptionalNumber('listPageSize') ?? 1000;
  if (
    !Number.isInteger(listPageSize) ||
    listPageSize < 1 ||
    listPageSize > 1000
  ) {
    throw new Error(`${key}.listPageSize must be an integer from 1 to 1000`);
  }
  return {
    buckets,
    region: s3.getOptionalString('region'),
    endpoint,
    forcePathStyle: s3.getOptionalBoolean('forcePathStyle'),
    credentials:
      accessKeyId !== undefined && secretAccessKey !== undefined
        ? { accessKeyId, secretAccessKey }
        : undefined,
    listPageSize,
  };
}
