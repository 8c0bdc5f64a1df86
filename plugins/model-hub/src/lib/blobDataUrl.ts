/**
 * A `data:` URL of a Blob's bytes with the given type. The portal's default
 * Content-Security-Policy allows `data:` images but not `blob:` ones.
 */
export async function blobDataUrl(blob: Blob, type: string): Promise<string> {
  const bytes = new Uint8Array(await blob.arrayBuffer());
  let binary = '';
  const chunk = 0x8000;
  for (let i = 0; i < bytes.length; i += chunk) {
    binary += String.fromCharCode(...bytes.subarray(i, i + chunk));
  }
  return `data:${type};base64,${btoa(binary)}`;
}
