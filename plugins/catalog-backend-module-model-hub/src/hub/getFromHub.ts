import { AuthService, DiscoveryService } from '@backstage/backend-plugin-api';

/** The Model Hub backend's plugin id. */
export const HUB_PLUGIN_ID = 'model-hub';

/** What {@link getFromHub} needs to call the hub as the catalog plugin. */
export interface HubRequestOptions {
  discovery: DiscoveryService;
  auth: AuthService;
  fetch: typeof globalThis.fetch;
  timeoutMs: number;
}

/**
 * GETs `path` (e.g. `/v1/registered-models`) from the Model Hub backend with
 * a token of the catalog plugin's own service credentials and a timeout.
 * Resolves to the hub's base URL and the response, whatever its status; the
 * caller decides what a 404 or an error status means.
 */
export async function getFromHub(
  options: HubRequestOptions,
  path: string,
): Promise<{ baseUrl: string; res: Response }> {
  const { discovery, auth } = options;
  const baseUrl = await discovery.getBaseUrl(HUB_PLUGIN_ID);
  const { token } = await auth.getPluginRequestToken({
    onBehalfOf: await auth.getOwnServiceCredentials(),
    targetPluginId: HUB_PLUGIN_ID,
  });
  const res = await options.fetch(`${baseUrl}${path}`, {
    headers: { Authorization: `Bearer ${token}` },
    signal: AbortSignal.timeout(options.timeoutMs),
  });
  return { baseUrl, res };
}

/** Throws when `res` is not a 2xx answer. */
export function assertOk(res: Response): void {
  if (!res.ok) {
    throw new Error(`HTTP ${res.status} ${res.statusText}`);
  }
}
