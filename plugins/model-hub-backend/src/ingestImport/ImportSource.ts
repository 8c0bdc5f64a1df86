import { Readable } from 'node:stream';

/** One file of an upstream version, as an import reads it. */
export interface ImportFile {
  /** Path inside the hub version, `/`-separated, relative. */
  path: string;
  /** Size announced by the source (refused early when over the upload limit). */
  size?: number;
  /** SHA-256 the source vouches for (a Hugging Face LFS oid); the staged bytes must hash to it. */
  sha256?: string;
  /** Opens the file's bytes as a stream; any integrity check of the source runs inside it. */
  open(signal: AbortSignal): Promise<Readable>;
}

/** The files of one upstream version and a line describing where they came from. */
export interface ImportPlan {
  description: string;
  files: ImportFile[];
}

/** An ingestion source the hub can import versions from. */
export interface ImportSource {
  /** Lists the files of `remoteVersion` of `remoteId`; nothing is downloaded yet. */
  plan(remoteId: string, remoteVersion: string): Promise<ImportPlan>;
  /**
   * Reads the model card (`README.md`) of `remoteId` at `revision`, at most
   * `maxBytes`; undefined when the revision has none. Sources without
   * model cards leave it out.
   */
  readCard?(
    remoteId: string,
    revision: string,
    maxBytes: number,
  ): Promise<{ markdown: string; truncated: boolean } | undefined>;
}

/** The most files one import takes; a larger listing is refused. */
export const MAX_IMPORT_FILES = 10_000;
