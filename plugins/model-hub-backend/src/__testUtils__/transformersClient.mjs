// Runs transformers.js as a user would, in a plain Node process (jest's
// sandbox breaks onnxruntime's typed-array checks): loads a text classifier
// from the hub's Hugging Face endpoints and classifies each argument.
// Input via environment: HUB_URL, HF_REPO, MODEL_HUB_TOKEN, CACHE_DIR.
// Prints one JSON line: { results, urls }. Any request that does not go to
// HUB_URL is refused, so the run proves it needs no other network.
import { env, pipeline } from '@huggingface/transformers';

const { HUB_URL, HF_REPO, MODEL_HUB_TOKEN, CACHE_DIR } = process.env;
const urls = [];
const realFetch = globalThis.fetch;
globalThis.fetch = async (url, init) => {
  const target = String(url instanceof Request ? url.url : url);
  urls.push(target);
  if (!target.startsWith(`${HUB_URL}/`)) {
    throw new Error(`refused a request off the hub: ${target}`);
  }
  const headers = new Headers(init?.headers);
  // transformers.js sends HF_TOKEN only to huggingface.co: add the PAT here.
  headers.set('Authorization', `Bearer ${MODEL_HUB_TOKEN}`);
  return realFetch(url, { ...init, headers });
};

env.allowLocalModels = false;
env.allowRemoteModels = true;
env.useBrowserCache = false;
env.cacheDir = CACHE_DIR;
env.remoteHost = `${HUB_URL}/`;
env.fetch = globalThis.fetch;

const classify = await pipeline('text-classification', HF_REPO, {
  dtype: 'fp32',
});
const results = [];
for (const text of process.argv.slice(2)) {
  results.push((await classify(text))[0]);
}
process.stdout.write(`${JSON.stringify({ results, urls })}\n`);
