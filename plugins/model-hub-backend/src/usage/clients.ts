import {
  MODEL_HUB_CLIENT_HEADER,
  UsageClient,
  usageClients,
} from '@internal/plugin-model-hub-common';
import { IncomingHttpHeaders } from 'node:http';

/**
 * Which client a download came through: the `x-model-hub-client` header
 * when it names a known client (an allowlist, so a caller cannot invent
 * categories), else a guess from the user agent; anything unknown is `api`.
 */
export function classifyClient(headers: IncomingHttpHeaders): UsageClient {
  const declared = headers[MODEL_HUB_CLIENT_HEADER];
  const value = (Array.isArray(declared) ? declared[0] : declared)
    ?.trim()
    .toLocaleLowerCase('en-US');
  if (value && (usageClients as readonly string[]).includes(value)) {
    return value as UsageClient;
  }
  const agent = headers['user-agent'] ?? '';
  if (/huggingface_hub|hf_hub|huggingface\.js/i.test(agent)) return 'hf';
  if (/^Mozilla\//.test(agent)) return 'browser';
  return 'api';
}
