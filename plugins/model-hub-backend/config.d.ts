export interface Config {
  /** Model Hub backend settings. */
  modelHub?: {
    /** Where and how uploaded model files (artifacts) are stored. */
    artifacts?: {
      /**
       * Largest accepted single file upload in bytes; larger uploads are
       * answered with 413. Default 10 GiB (10737418240).
       */
      maxUploadBytes?: number;
      /**
       * Local directory where uploads are streamed and verified before they
       * are stored. Default: `<local.directory>/.staging` for the local store
       * (same file system, so storing is an atomic rename), or
       * `<os tmpdir>/model-hub-staging` for S3.
       */
      stagingDirectory?: string;
      /** The local-disk artifact store, used unless `s3` is configured. */
      local?: {
        /**
         * Directory holding the content-addressed files, relative to the
         * backend process working directory. Default `./data/artifacts`.
         */
        directory?: string;
      };
      /** The S3 (or S3-compatible) artifact store; when set it replaces the local store. */
      s3?: {
        /** Bucket holding the artifacts. */
        bucket: string;
        /** Key prefix inside the bucket, e.g. `model-hub/`. Default none. */
        prefix?: string;
        /** AWS region. Default from the AWS SDK environment, else `us-east-1`. */
        region?: string;
        /** Endpoint of an S3-compatible server, e.g. `http://minio:9000`. */
        endpoint?: string;
        /** Use path-style URLs (`endpoint/bucket/key`), needed by most S3-compatible servers. */
        forcePathStyle?: boolean;
        /** Access key id; default from the AWS SDK credential chain. */
        accessKeyId?: string;
        /**
         * Secret access key; default from the AWS SDK credential chain.
         * @visibility secret
         */
        secretAccessKey?: string;
        /** Multipart upload part size in bytes, at least 5 MiB. Default 16 MiB. */
        partSizeBytes?: number;
      };
    };
  };
}
