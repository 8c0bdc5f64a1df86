/**
 * File reads that show a model card in the portal, as opposed to downloads
 * (pulls). The portal's README card reads the card's first bytes and the
 * images it embeds; a person looking at a model's page has not pulled it,
 * so those reads must not count towards its reuse (or tell its owners that
 * another team started using it). A read is a preview only when all of
 * this holds, so a download cannot pass for one:
 * - the request says so (the `purpose=preview` query parameter);
 * - the file is a model card or an image a card shows (by its path);
 * - it asks for one byte range from the file's start, at most
 *   {@link FILE_PREVIEW_MAX_BYTES} long.
 */

/** The query parameter (name and value) that asks for a preview read. */
export const FILE_PREVIEW_QUERY = {
  name: 'purpose',
  value: 'preview',
} as const;

/** Most bytes one preview reads (the largest card image the portal loads). */
export const FILE_PREVIEW_MAX_BYTES = 5 * 1024 * 1024;

/** Image types a model card shows, by extension; the content type is set from this, never from the server. */
export const CARD_IMAGE_TYPES: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  avif: 'image/avif',
};

/** The image type of a version file, or undefined when a card does not show it (e.g. SVG). */
export function cardImageType(path: string): string | undefined {
  const match = /\.([a-z0-9]+)$/i.exec(path);
  return match ? CARD_IMAGE_TYPES[match[1].toLowerCase()] : undefined;
}

/** Whether a file can be previewed: Markdown (a model card) or a card image. */
export function isPreviewablePath(path: string): boolean {
  return /\.md$/i.test(path) || cardImageType(path) !== undefined;
}

/**
 * Whether a `Range` header asks for a preview's bytes: one range from byte
 * 0 to at most byte {@link FILE_PREVIEW_MAX_BYTES} - 1.
 */
export function isPreviewRange(range: string | undefined): boolean {
  const match = /^bytes=0-(\d{1,16})$/.exec(range?.trim() ?? '');
  return match !== null && Number(match[1]) < FILE_PREVIEW_MAX_BYTES;
}
