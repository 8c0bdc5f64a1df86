import { SchedulerServiceTaskScheduleDefinitionConfig } from '@backstage/backend-plugin-api';
import { HumanDuration } from '@backstage/types';

export interface Config {
  /** Model Hub backend settings. */
  modelHub?: {
    /** Ingestion sources (declared by the ingestion catalog module); the hub reads them to import versions. */
    ingestion?: {
      /** Import of ingested models' upstream versions into the hub's store. */
      import?: {
        /** Upstream ids or entity names (exact, or globs where * matches anything but /) whose mirrored revision is imported automatically. Default none. */
        autoImport?: string[];
        /** How often the auto-import task (one replica at a time) looks for new revisions. Default every 10 minutes. */
        schedule?: SchedulerServiceTaskScheduleDefinitionConfig;
      };
    };
    /** The model-file scanner and the rescans of stored files. */
    scanner?: {
      /** Extra `module.name` callables pickles may import and still be safe (extends the built-in allowlist). */
      trustedGlobals?: string[];
      /** Background rescans of stored files when the backend starts with a newer scanner version. */
      rescan?: {
        /** Whether stored files are rescanned. Default true. */
        enabled?: boolean;
        /** Files rescanned and committed per batch (the resume granularity). Default 50. */
        batchSize?: number;
        /**
         * Bytes of files not yet rescanned by the running scanner that a
         * gauntlet run rescans itself; beyond this their verdicts are
         * pending and earn no tier. Default 268435456 (256 MiB).
         */
        inlineMaxBytes?: number;
        /** When the rescan task runs (scheduler format). Defaults: frequency { minutes: 30 }, timeout { hours: 6 }, initialDelay { seconds: 30 }. */
        schedule?: {
          frequency?: { cron: string } | string | HumanDuration;
          timeout?: string | HumanDuration;
          initialDelay?: string | HumanDuration;
        };
      };
    };
    /** What error responses may show. */
    errors?: {
      /** Show messages of unexpected errors (paths, SQL) in response bodies; stacks need NODE_ENV=development as well. Default true only when NODE_ENV is development. */
      exposeInternal?: boolean;
    };
    /** Personal access tokens issued by the hub (page /model-hub/tokens, routes /v1/tokens). */
    tokens?: {
      /** Days until a new token expires when the creator gives none. Default 90. */
      defaultExpiryDays?: number;
      /** The longest expiry a token may have, in days. Default 365. */
      maxExpiryDays?: number;
      /**
       * Key of the HMAC-SHA256 that stores token secrets; a long random secret
       * kept out of the database. Required in production.
       * @visibility secret
       */
      pepper?: string;
      /**
       * Local development only (ignored when NODE_ENV=production): at start-up the
       * backend makes sure `file` holds a working read+publish token of the user.
       */
      devGuestToken?: {
        /** Set to false to turn it off while keeping the block. Default true. */
        enabled?: boolean;
        /** The user the token acts as. Default user:default/guest. */
        userEntityRef?: string;
        /** Where the token is written (mode 0600), relative to the backend's working directory. */
        file: string;
      };
    };
    /**
     * Services that may write. Every other service principal (static external
     * access tokens, JWKS services, other plugins acting as themselves) is
     * read-only in the hub; the audit log names the granted subject.
     */
    servicePrincipals?: Array<{
      /** The service's subject, e.g. the `subject` of a static external access token. */
      subject: string;
      /** Teams (group refs or names) whose models the service may act on. */
      teams: string[];
      /** Permission names it may use, e.g. model-hub.version.create, model-hub.alias.update. */
      actions: string[];
    }>;
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
      /** Crash recovery of the staging directory. */
      staging?: {
        /**
         * Staging files not written to for this many minutes are debris of
         * dead uploads and are removed, at start-up and on every recovery run. Default 60.
         */
        maxAgeMinutes?: number;
      };
      /** Garbage collection of stored blobs no version references. */
      gc?: {
        /**
         * Hours a blob must have been unreferenced (by any sealed version or
         * open draft) and unclaimed by any upload before it is deleted. Default 24.
         */
        graceHours?: number;
        /** Minutes between recovery runs (staging sweep, abandoned seals, blob collection). Default 30. */
        frequencyMinutes?: number;
      };
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
        /**
         * Direct transfers: clients PUT multipart parts to presigned S3 URLs and may
         * download through a presigned redirect, so file bytes bypass the backend
         * (which still verifies size and SHA-256 before a file becomes visible).
         */
        directTransfers?: {
          /** Whether uploads and downloads go directly to S3. Default false. */
          enabled?: boolean;
          /** Seconds a presigned part URL stays valid (a client asks again after that). Default 3600. */
          uploadUrlExpirySeconds?: number;
          /** Seconds a presigned download URL stays valid; a started download continues past it. Default 300. */
          downloadUrlExpirySeconds?: number;
          /** S3 endpoint as clients reach it, when it differs from `endpoint` (presigned URLs point there). Default `endpoint`. */
          publicEndpoint?: string;
        };
      };
    };
    /** The Hugging Face Hub protocol endpoints (`/api/model-hub/hf`, read-only). */
    hf?: {
      /**
       * How a model's repo id `namespace/name` is formed (name = entity name):
       * `auto` (entity namespace unless `default`, else the owner's name; default),
       * `namespace` (always the entity namespace) or `owner` (always the owner's name).
       * @visibility frontend
       */
      namespace?: 'auto' | 'namespace' | 'owner';
      /** Serve versions whose security verdict is `unsafe` (default false: they get a 403). */
      allowUnsafe?: boolean;
    };
    /** How the hub's routes look their model up in the catalog. */
    catalogLookup?: {
      /**
       * How long read routes (GET, HEAD) reuse one caller's lookup of a model,
       * in seconds (only found models are kept; mutations always ask live);
       * 0 turns it off. Default 30: the staleness bound of what a read route
       * shows a caller who lost access. A Backstage user token carries the
       * ownership it was issued with for its whole life (an hour), so access
       * that follows ownership is already that stale.
       */
      cacheSeconds?: number;
    };
    /** The hub's model search (`GET /v1/models`). */
    search?: {
      /**
       * How long the hub search reuses one caller's total and facet counts
       * for one filter, in seconds (the page itself is always live); 0
       * turns it off. Default 10. A total still in use after half of it is
       * counted again in the background, so searches do not wait for it.
       */
      summaryCacheSeconds?: number;
    };
    /** Resumable multipart uploads and their housekeeping. */
    transfers?: {
      /** Smallest part size in bytes a client may choose (the last part may be shorter). Default 5 MiB. */
      minPartBytes?: number;
      /** Largest part size in bytes a client may choose; a larger part is answered with 413. Default 1 GiB. */
      maxPartBytes?: number;
      /** Multipart uploads that received nothing for this long are deleted with their parts. Default 24 hours. */
      abandonedAfter?: HumanDuration | string;
      /** How often abandoned uploads are collected (one replica at a time). Default every hour. */
      collectEvery?: HumanDuration | string;
      /**
       * Seconds one caller's authorization of a multipart upload (catalog lookup
       * and permission decision) is reused for its parts, instead of two
       * loopback calls per part; 0 checks every part. Starting and completing
       * an upload are always checked live, so a revoked publisher can stage
       * parts for at most this long but never completes the file. Default 30.
       */
      partAuthorizationSeconds?: number;
    };
    /** Usage recording: pulls, reuse across teams, first-consumer notifications (issue #21). */
    usage?: {
      /** Downloads of one version by one principal within this many minutes count as one pull. Default 30. */
      pullWindowMinutes?: number;
      /** Raw pull events older than this many days are deleted (daily rollups are kept). Default 400. */
      retentionDays?: number;
      /** Whether a model's owning team is notified the first time another team pulls it or declares dependsOn. Default true. */
      notifyFirstConsumers?: boolean;
      /** How often (minutes) declared consumers are read from the catalog for notifications. Default 15. */
      consumerSyncMinutes?: number;
    };
    /** The similar-models term index behind /v1/similar-models and the duplicate-effort report (issue #18). */
    similar?: {
      /** How often (seconds) one replica re-reads the catalog's models and re-indexes those whose content changed; the bound on how stale neighbours can be. Default 60. */
      refreshSeconds?: number;
    };
    /** Outbound events (issue #21): typed events on the events service, optionally sent to webhooks. */
    events?: {
      /** Webhooks that receive the events as signed JSON POSTs. */
      webhooks?: Array<{
        /** Name shown in delivery records. Default: the URL's host. */
        name?: string;
        /** http(s) URL the events are POSTed to. */
        url: string;
        /**
         * Shared secret (at least 16 characters): the `x-model-hub-signature` header is
         * `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`.
         * @visibility secret
         */
        secret: string;
        /** Event types to send (version.sealed, gauntlet.finished, tier.changed, promotion.approved, deprecation.set, alias.moved, alias.removed); all when absent. */
        events?: string[];
        /** Attempts per event, the first included. Default 5. */
        maxAttempts?: number;
        /** Milliseconds before the first retry, doubled before each further one. Default 1000. */
        initialBackoffMs?: number;
        /** Milliseconds a receiver has to answer an attempt. Default 10000. */
        timeoutMs?: number;
      }>;
      /** Seconds between each replica's sweeps of the durable webhook outbox (retries due after a restart). Default 10. */
      outboxPollSeconds?: number;
      /** Days a delivered webhook outbox row is kept after delivery (pending and given-up rows are kept). Default 30. */
      outboxRetentionDays?: number;
    };
    /** Example data for the embedded demo portal. */
    examples?: {
      /**
       * A YAML file listing example model versions to publish at start-up
       * (`versions: [{ model, version, directory, files?, aliases? }]`,
       * directories relative to the file). Versions that exist are skipped.
       */
      seedFile?: string;
    };
    /** Stewardship: scheduled evaluation of models into tasks for their teams. */
    stewardship?: {
      /** Schedule the evaluation at all. Default true. */
      enabled?: boolean;
      /** Group that gets the tasks of models nobody can act on (orphans). Default `group:default/ai-governance`. */
      governanceGroup?: string;
      /** Calendar months without activity (versions, pulls, `modelhub.io/last-activity`) after which a model counts as archived. Default 18. */
      staleAfterMonths?: number;
      /** Days before that archive date when a stale warning task opens. Default 30. */
      staleWarningDays?: number;
      /** Days before a gauntlet waiver expires when a renewal task opens. Default 30. */
      waiverExpiryWindowDays?: number;
      /** Model card fields that must be filled (bare names: spec, then metadata; dotted paths from the entity root). Default description, intendedUse, license, owner, steward, task, limitations. */
      requiredFields?: string[];
      /** When the evaluation runs (scheduler format). Defaults: frequency { minutes: 10 }, timeout { minutes: 5 }, initialDelay { seconds: 30 }. */
      schedule?: {
        frequency?: { cron: string } | string | HumanDuration;
        timeout?: string | HumanDuration;
        initialDelay?: string | HumanDuration;
      };
      /** Limits of the task actions on the team and model pages. */
      actions?: {
        /** Longest snooze of a stewardship task, in days. Default 90. */
        maxSnoozeDays?: number;
        /** Longest waiver of a stewardship task, in days. Default 180. */
        maxWaiverDays?: number;
      };
      /** Backstage notifications to the assignees. */
      notifications?: {
        /** Notify the assignee when a task opens. Default true. */
        enabled?: boolean;
        /** An assignee with more tasks than this opened in one evaluation gets one notification listing them (most urgent first, linking the team page) instead of one per task. Default 3. */
        groupAbove?: number;
        /** The daily digest of each team's open tasks. */
        digest?: {
          /** Send it at all. Default true. */
          enabled?: boolean;
          /** UTC hour (0-23) from which the day's digest may go out; at most one per team per UTC day. Default 8. */
          hourUtc?: number;
          /** Skip teams with no task opened since their previous digest. Default false. */
          onlyWithNewTasks?: boolean;
          /** How many tasks a digest lists by title (the rest are counted). Default 20. */
          maxListedTasks?: number;
        };
      };
    };
    /** Deprecated alias of `governance.group`, read when that is unset. */
    governanceGroup?: string;
    /** Four-eyes governance of promotions and waivers. */
    governance?: {
      /** Group (entity ref) whose members approve promotions and waivers. Default `group:default/ai-governance`. */
      group?: string;
      /** Distinct approvers (members of `group`, neither the requester nor in the model's owning team) a promotion or waiver needs. Default 1. */
      requiredApprovals?: number;
    };
    /** The compliance gauntlet. */
    gauntlet?: {
      /** Tier gates: per tier, the required checks and the statuses they may have. */
      tiers?: {
        [tier: string]: {
          required: Array<{ check: string; allow?: string[] }>;
        };
      };
      /** Results older than this many days are re-run. Default 30. */
      maxResultAgeDays?: number;
      /** Longest a waiver may last, in days. Default 180. */
      maxWaiverDays?: number;
      /** Schedule of the refresh task (scheduler format). Default every 30 minutes. */
      schedule?: {
        frequency?: { cron: string } | string | HumanDuration;
        timeout?: string | HumanDuration;
        initialDelay?: string | HumanDuration;
      };
      /** Seconds between queue polls on each replica. Default 10. */
      workerPollSeconds?: number;
      /** Seconds a batched effective tier is reused without a model change event (events from any replica drop it sooner; bounds clock-driven changes such as waiver expiry). Default 30. */
      tierCacheSeconds?: number;
      /** Minutes one drain of the queue may take (the worker task's timeout). Default 30. */
      leaseMinutes?: number;
      /** Seconds a run's lease lasts without a heartbeat; the runner renews it every third of this while it runs. Default 60. */
      leaseSeconds?: number;
      /** Seconds between each replica's sweeps for versions sealed without gauntlet runs (a crash between seal and queue). Default 60. */
      lostSealSweepSeconds?: number;
      /** Claims of a run before it fails: 2 = re-queued once after its runner died (lease expired). Default 2. */
      maxAttempts?: number;
      /** The security check. */
      security?: {
        /** Directory of OSV advisory JSON files, e.g. `../../examples/advisories`. */
        advisoryDirectory?: string;
        /** Refuse to start unless advisoryDirectory holds OSV records and is not the demo excerpt. Default true when NODE_ENV=production. */
        advisoriesRequired?: boolean;
        /** Unrecognised binary files at least this large count as unreadable weights (fail official, warn below). Default 1048576 (1 MiB). */
        unrecognizedWeightBytes?: number;
      };
      /** The performance check. */
      performance?: {
        /** Largest allowed gap between claimed and measured metrics. Default 0.02. */
        tolerance?: number;
        /** Thresholds per task and tier: metric name to minimum (latency, *Ms, loss and error metrics are maxima). */
        thresholds?: {
          [task: string]: { [tier: string]: { [metric: string]: number } };
        };
      };
      /** The fairness check's thresholds per tier. */
      fairness?: {
        [tier: string]: {
          /** Largest allowed demographic parity difference. Default 0.1. */
          maxDemographicParityDifference?: number;
          /** Largest allowed equalized odds difference. Default 0.1. */
          maxEqualizedOddsDifference?: number;
          /** Smallest allowed disparate impact ratio (four-fifths rule). Default 0.8. */
          minDisparateImpactRatio?: number;
          /** Groups smaller than this give a warning (insufficient data). Default 30. */
          minGroupSize?: number;
        };
      };
      /** The license check. */
      license?: {
        /** The intended use assumed per tier: commercial, internal or research. */
        intendedUse?: { [tier: string]: string };
        /** The license policy merged over the built-in default (see examples/policies). */
        policy?: object;
      };
    };
  };
}
