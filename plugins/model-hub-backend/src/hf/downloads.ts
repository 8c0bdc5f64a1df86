import {
  BackstageCredentials,
  createServiceFactory,
  createServiceRef,
} from '@backstage/backend-plugin-api';
import { IncomingHttpHeaders } from 'node:http';

/** One file served through the Hugging Face `resolve` route. */
export interface HfDownloadEvent {
  /** The model's entity ref (lower case). */
  entityRef: string;
  /** The sealed version the revision resolved to. */
  version: string;
  /** The revision as the client asked for it (`main`, an alias, a version, a commit sha). */
  revision: string;
  path: string;
  sha256: string;
  size: number;
  /** The user entity ref of the token's owner, or the service subject. */
  actor: string;
  /** True when the client asked for a part of the file (a `Range` past byte 0). */
  partial: boolean;
  /** The caller, as the route authenticated it (for the usage metrics). */
  credentials: BackstageCredentials;
  /** The request headers (the usage metrics classify the client from them). */
  headers: IncomingHttpHeaders;
}

/**
 * Records downloads made through the Hugging Face endpoints (as pulls by the
 * token's user, for the reuse metrics). The plugin wires the usage store
 * here; errors are logged by the caller and never fail the download.
 */
export type HfDownloadRecorder = (event: HfDownloadEvent) => Promise<void>;

/** The recorder used when none is wired: records nothing. */
export const noopDownloadRecorder: HfDownloadRecorder = async () => {};

/**
 * Where the Hugging Face endpoints report downloads. The default records
 * nothing; a portal (or the hub's usage metrics) provides a factory for
 * this ref to count pulls, and tests provide one that captures events.
 */
export const hfDownloadRecorderServiceRef =
  createServiceRef<HfDownloadRecorder>({
    id: 'model-hub.hf-download-recorder',
    scope: 'plugin',
    defaultFactory: async service =>
      createServiceFactory({
        service,
        deps: {},
        factory: () => noopDownloadRecorder,
      }),
  });
