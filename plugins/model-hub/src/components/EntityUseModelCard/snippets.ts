/**
 * The copy-paste snippets of the "Use this model" card: each pulls one
 * pinned version from this portal, names the token only as a variable and
 * works as written.
 */

/** What every snippet needs. */
export interface SnippetTarget {
  entityRef: string;
  /** The pinned version string. */
  version: string;
  /** Hugging Face repo id (`namespace/name`) of the model on this hub. */
  repoId: string;
  /** `<backend>/api/model-hub/hf`: the Hugging Face endpoint of the hub. */
  hubUrl: string;
  /** The model's Hugging Face pipeline task, e.g. `text-classification`. */
  task: string;
}

/** The globally installed CLI pulling the pinned version. */
export function cliSnippet(t: SnippetTarget): string {
  return `model-hub pull ${t.entityRef}@${t.version}`;
}

/** huggingface_hub and transformers with HF_ENDPOINT pointing at the hub. */
export function pythonSnippet(t: SnippetTarget): string {
  return [
    `export HF_ENDPOINT=${t.hubUrl}`,
    `export HF_TOKEN=$MODEL_HUB_HF_TOKEN   # the hf_ form of your access token`,
    `python -c "from huggingface_hub import snapshot_download; print(snapshot_download('${t.repoId}', revision='${t.version}'))"`,
    `# or: AutoModel.from_pretrained('${t.repoId}', revision='${t.version}')`,
  ].join('\n');
}

/** @huggingface/hub with hubUrl, and transformers.js with env.remoteHost. */
export function javascriptSnippet(t: SnippetTarget): string {
  return [
    `import { downloadFile } from '@huggingface/hub';`,
    `import { env, pipeline } from '@huggingface/transformers';`,
    ``,
    `const hubUrl = '${t.hubUrl}';`,
    `const accessToken = process.env.MODEL_HUB_HF_TOKEN; // hf_…`,
    `const config = await downloadFile({ repo: '${t.repoId}', path: 'config.json', revision: '${t.version}', hubUrl, accessToken });`,
    ``,
    `env.remoteHost = hubUrl + '/';`,
    `env.allowLocalModels = false;`,
    `env.fetch = (url, init) => fetch(url, { ...init, headers: { ...init?.headers, Authorization: \`Bearer \${accessToken}\` } });`,
    `const model = await pipeline('${t.task}', '${t.repoId}', { revision: '${t.version}' });`,
  ].join('\n');
}

function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** A `curl` command downloading one file with a bearer token placeholder. */
export function curlCommand(url: string, path: string): string {
  const fileName = path.split('/').pop() || path;
  return `curl -fL -H "Authorization: Bearer $MODEL_HUB_TOKEN" -o ${shellQuote(
    fileName,
  )} ${shellQuote(url)}`;
}
