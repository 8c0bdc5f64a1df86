import { SchedulerServiceTaskScheduleDefinitionConfig } from '@backstage/backend-plugin-api';

export interface Config {
  /** Model Hub settings. */
  modelHub?: {
    /** Read-only federated ingestion of models from other registries into the catalog. */
    ingestion?: {
      /** MLflow Model Registries to mirror; one entity provider each. */
      mlflow?: Array<{
        /** Short lowercase slug naming the source; part of entity names (`mlflow-<id>-<model>`) and annotations. */
        id: string;
        /** Set to false to keep the entry but not sync it. Default true. */
        enabled?: boolean;
        /** The MLflow tracking server, e.g. https://mlflow.example.com (without /api). */
        baseUrl: string;
        /** How to authenticate to the server. */
        auth?: {
          /** none (default), basic or bearer. */
          type?: 'none' | 'basic' | 'bearer';
          /** User name for basic auth. */
          username?: string;
          /**
           * Password for basic auth, e.g. ${MLFLOW_PASSWORD}.
           * @visibility secret
           */
          password?: string;
          /**
           * Token for bearer auth, e.g. ${MLFLOW_TOKEN}.
           * @visibility secret
           */
          token?: string;
        };
        /** MLflow search filter for registered models, e.g. tags.team = 'fraud'. Default: all models. */
        filter?: string;
        /** Page size of registered-models/search (max_results). Default 500. */
        pageSize?: number;
        /** Owner (group entity ref) of models without a usable owner tag. */
        defaultOwner: string;
        /** Registered-model tag whose value is the owning group. Default owner. */
        ownerTag?: string;
        /** Registered-model tag that marks a model deprecated (any value but false). Default deprecated. */
        deprecationTag?: string;
        /** spec.license of models without a valid SPDX license tag. Default NOASSERTION. */
        defaultLicense?: string;
        /** Catalog namespace of the mirrored models. Default default. */
        namespace?: string;
        /** When to sync. Default every 30 minutes, timeout 10 minutes. */
        schedule?: SchedulerServiceTaskScheduleDefinitionConfig;
        /** Read access to the S3 buckets of this server's artifacts, so versions whose download URI is s3://bucket/key can be imported into the hub. Without it such imports are refused. */
        s3?: {
          /** The only buckets the hub reads (allow-list); an s3:// URI naming another bucket is refused. */
          buckets: string[];
          /** AWS region. Default from the AWS SDK environment, else us-east-1. */
          region?: string;
          /** Endpoint of an S3-compatible server, e.g. http://minio:9000. */
          endpoint?: string;
          /** Use path-style URLs (endpoint/bucket/key), needed by most S3-compatible servers. */
          forcePathStyle?: boolean;
          /** Access key id (with secretAccessKey); default the AWS SDK credential chain. */
          accessKeyId?: string;
          /**
           * Secret access key, e.g. ${MLFLOW_S3_SECRET_ACCESS_KEY}; never logged.
           * @visibility secret
           */
          secretAccessKey?: string;
          /** Keys per S3 listing page (1-1000). Default 1000. */
          listPageSize?: number;
        };
      }>;
      /**
       * Example portal only: start a bundled fake MLflow registry (made-up models of the
       * example teams) on a free local port and ingest it as the source `mlflow:demo`.
       */
      demo?: boolean;
      /** Hugging Face models to mirror (tier external). */
      huggingFace?: {
        /** Short lowercase slug naming the source. Default hf. */
        id?: string;
        /** Set to false to keep the block but not sync it. Default true. */
        enabled?: boolean;
        /** The Hub or a mirror. Default https://huggingface.co. */
        endpoint?: string;
        /**
         * Access token, e.g. ${HF_TOKEN}; falls back to the HF_TOKEN environment variable.
         * @visibility secret
         */
        token?: string;
        /** Owner (group entity ref) of every mirrored model: the platform team. */
        owner: string;
        /** Exact repo ids to mirror (allow-list), e.g. meta-llama/Llama-3.1-8B. */
        models?: string[];
        /** Repo globs org/* or org/prefix-* (re-checked client-side; * never crosses /). */
        globs?: string[];
        /** Collection slugs (namespace/title-slug-id, as in the collection's URL) whose models are mirrored too. */
        collections?: string[];
        /** spec.license of models whose card names none. Default NOASSERTION. */
        defaultLicense?: string;
        /** Catalog namespace of the mirrored models. Default default. */
        namespace?: string;
        /** When to sync. Default every 30 minutes, timeout 10 minutes. */
        schedule?: SchedulerServiceTaskScheduleDefinitionConfig;
      };
    };
  };
}
