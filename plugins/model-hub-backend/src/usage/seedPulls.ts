import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import {
  BackstageCredentials,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import {
  MODEL_HUB_CLIENT_HEADER,
  usageClients,
} from '@internal/plugin-model-hub-common';
import YAML from 'yaml';
import { z } from 'zod';
import { ModelVersionService } from '../versions/ModelVersionService';
import { PullRecorder } from './PullRecorder';
import { UsageStore } from './UsageStore';

const pullsSchema = z.object({
  pulls: z
    .array(
      z.object({
        model: z.string(),
        version: z.string(),
        by: z.array(z.string()).min(1),
        client: z.enum(usageClients).default('cli'),
      }),
    )
    .default([]),
});

/**
 * The embedded demo's usage: the seed file's `pulls` are performed for real
 * at start-up, each as its example user: every file of the version is read
 * from the artifact store and its SHA-256 checked (a download without the
 * HTTP hop), and the pull is reported to the same recorder the file route
 * reports to (one pull per version and user, teams from the catalog,
 * first-consumer notifications). A user who already pulled the model is
 * skipped, so a restart adds nothing. Returns how many pulls were made.
 */
export async function seedExamplePulls(options: {
  seedFile: string;
  versions: ModelVersionService;
  recorder: PullRecorder;
  store: UsageStore;
  logger: LoggerService;
}): Promise<number> {
  const { versions, recorder, store, logger } = options;
  const parsed = pullsSchema.safeParse(
    YAML.parse(await fs.readFile(options.seedFile, 'utf8')),
  );
  if (!parsed.success) {
    throw new InputError(
      `Invalid pulls in ${options.seedFile}: ${parsed.error.issues
        .map(i => `${i.path.join('.')}: ${i.message}`)
        .join('; ')}`,
    );
  }
  let made = 0;
  for (const entry of parsed.data.pulls) {
    const entityRef = stringifyEntityRef(
      parseEntityRef(entry.model, {
        defaultKind: 'model',
        defaultNamespace: 'default',
      }),
    ).toLocaleLowerCase('en-US');
    const version = await versions.getVersion(entityRef, entry.version);
    for (const user of entry.by) {
      const userEntityRef = stringifyEntityRef(
        parseEntityRef(user, { defaultKind: 'user' }),
      ).toLocaleLowerCase('en-US');
      if (await store.hasPulled(entityRef, userEntityRef)) continue;
      for (const file of version.files) {
        const hash = createHash('sha256');
        for await (const chunk of await versions.readFile(file)) {
          hash.update(chunk as Buffer);
        }
        if (hash.digest('hex') !== file.sha256) {
          throw new Error(
            `${entityRef}@${version.version} ${file.path} does not match its SHA-256`,
          );
        }
      }
      const credentials = {
        $$type: '@backstage/BackstageCredentials',
        principal: { type: 'user', userEntityRef },
      } as BackstageCredentials;
      if (
        (await recorder.record({
          credentials,
          entityRef,
          version: version.version,
          headers: { [MODEL_HUB_CLIENT_HEADER]: entry.client },
        })) === 'pull'
      ) {
        made++;
      }
    }
  }
  logger.info(`Example usage: ${made} pulls made as example users`);
  return made;
}
