import { createReadStream, promises as fs } from 'node:fs';
import path from 'node:path';
import {
  AuditorService,
  AuthService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { stringifyEntityRef, parseEntityRef } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import { ModelVersion } from '@internal/plugin-model-hub-common';
import YAML from 'yaml';
import { z } from 'zod';
import { audited } from '../service/requests';
import { ModelVersionService } from '../versions/ModelVersionService';

/** Who the example versions are recorded as published by. */
export const EXAMPLE_PUBLISHER = 'user:default/model-hub-examples';
const AS_PUBLISHER = { startupActor: EXAMPLE_PUBLISHER };

const seedSchema = z.object({
  versions: z
    .array(
      z.object({
        model: z.string(),
        version: z.string(),
        description: z.string().optional(),
        /** Directory of the version's files, relative to the seed file. */
        directory: z.string(),
        /** The files to publish from the directory; default: all of them. */
        files: z.array(z.string()).optional(),
        aliases: z.array(z.string()).default([]),
      }),
    )
    .default([]),
  /** Governance decisions recorded for the demo: approved promotions, waivers. */
  governance: z
    .array(
      z.object({
        model: z.string(),
        promotion: z
          .object({
            tier: z.enum(['official', 'community', 'external']),
            requestedBy: z.string(),
            approvedBy: z.string(),
            comment: z.string().optional(),
          })
          .optional(),
        waivers: z
          .array(
            z.object({
              check: z.string(),
              reason: z.string(),
              /** Who asked for the waiver; never its approver (four-eyes). */
              requestedBy: z.string(),
              approvedBy: z.string(),
              expiresAt: z.string(),
            }),
          )
          .default([]),
      }),
    )
    .default([]),
});

/** Records governance decisions (the gauntlet store fits). */
export interface ExampleGovernance {
  hasDecisions(entityRef: string): Promise<boolean>;
  approvePromotion(options: {
    entityRef: string;
    tier: 'official' | 'community' | 'external';
    requestedBy: string;
    approvedBy: string;
    comment?: string;
  }): Promise<void>;
  addWaiver(options: {
    entityRef: string;
    check: string;
    reason: string;
    requestedBy: string;
    approvedBy: string;
    expiresAt: Date;
  }): Promise<void>;
}

/** One version to publish from the examples. */
export type ExampleVersion = z.infer<typeof seedSchema>['versions'][number];

/**
 * Publishes the example model versions listed in a seed file (e.g.
 * `examples/hub-seed.yaml`) through the same code path as the API: files are
 * hashed, scanned and stored; versions are sealed and aliased. It runs at
 * start-up of the embedded demo and skips versions that already exist, so a
 * restart changes nothing.
 */
export class ExampleSeeder {
  constructor(
    private readonly options: {
      seedFile: string;
      versions: ModelVersionService;
      catalog: CatalogService;
      auth: AuthService;
      logger: LoggerService;
      /**
       * The plugin's auditor: seals and aliases are audited (and so become
       * outbound events) as the routes audit them, as {@link EXAMPLE_PUBLISHER}.
       */
      auditor: AuditorService;
      /** Called after a version has been sealed, e.g. to start the gauntlet. */
      onSealed?: (entityRef: string, version: ModelVersion) => Promise<void>;
      /** Where the seed's governance decisions are recorded. */
      governance?: ExampleGovernance;
    },
  ) {}

  /** Reads and validates the seed file. */
  async readSeed(): Promise<z.infer<typeof seedSchema>> {
    const text = await fs.readFile(this.options.seedFile, 'utf8');
    const parsed = seedSchema.safeParse(YAML.parse(text));
    if (!parsed.success) {
      throw new InputError(
        `Invalid seed file ${this.options.seedFile}: ${parsed.error.issues
          .map(i => `${i.path.join('.')}: ${i.message}`)
          .join('; ')}`,
      );
    }
    return parsed.data;
  }

  /**
   * Publishes every listed version whose model is in the catalog and which
   * does not exist yet. Returns the versions still waiting for their model
   * entity (the catalog may not have processed it yet).
   */
  async seedOnce(): Promise<ExampleVersion[]> {
    const { versions, catalog, auth, logger } = this.options;
    const credentials = await auth.getOwnServiceCredentials();
    const waiting: ExampleVersion[] = [];
    const seed = await this.readSeed();
    for (const entry of seed.versions) {
      const entityRef = stringifyEntityRef(
        parseEntityRef(entry.model, {
          defaultKind: 'model',
          defaultNamespace: 'default',
        }),
      );
      const entity = await catalog.getEntityByRef(entityRef, { credentials });
      if (!entity) {
        waiting.push(entry);
        continue;
      }
      const existing = (await versions.listVersions(entityRef)).find(
        v => v.version === entry.version,
      );
      if (existing?.state === 'sealed') continue;
      const dir = path.resolve(
        path.dirname(this.options.seedFile),
        entry.directory,
      );
      await versions.createVersion(
        entityRef,
        { version: entry.version, description: entry.description },
        EXAMPLE_PUBLISHER,
      );
      const selected = (await listFiles(dir)).filter(
        f => !entry.files || entry.files.includes(f.relPath),
      );
      for (const wanted of entry.files ?? []) {
        if (!selected.some(f => f.relPath === wanted)) {
          throw new InputError(
            `Seed entry ${entityRef}@${entry.version} lists ${wanted}, which is not in ${dir}`,
          );
        }
      }
      for (const file of selected) {
        const already = existing?.files.some(f => f.path === file.relPath);
        if (already) continue;
        await versions.uploadFile({
          entityRef,
          version: entry.version,
          path: file.relPath,
          body: createReadStream(file.absPath),
          uploadedBy: EXAMPLE_PUBLISHER,
        });
      }
      const sealed = await audited(
        this.options.auditor,
        AS_PUBLISHER,
        'version-seal',
        { model: entityRef, version: entry.version },
        async () => ({
          value: await versions.sealVersion(entityRef, entry.version, {
            sealedBy: EXAMPLE_PUBLISHER,
          }),
        }),
      );
      for (const alias of entry.aliases) {
        await audited(
          this.options.auditor,
          AS_PUBLISHER,
          'alias-set',
          { model: entityRef, alias, version: entry.version },
          async () => ({
            value: await versions.setAlias({
              entityRef,
              alias,
              version: entry.version,
              updatedBy: EXAMPLE_PUBLISHER,
            }),
          }),
        );
      }
      logger.info(
        `Published example version ${entityRef}@${entry.version} (${sealed.files.length} files)`,
      );
      await this.options.onSealed?.(entityRef, sealed);
    }
    // After publishing: approvals bind to the completed gauntlet run of the
    // version they approve (four-eyes), so they are recorded once it ran;
    // a model still waiting for the catalog gets its decisions on a later
    // round.
    const pending = new Set(waiting.map(w => this.#refOf(w.model)));
    await this.#seedGovernance(seed.governance, pending);
    return waiting;
  }

  #refOf(model: string): string {
    return stringifyEntityRef(
      parseEntityRef(model, {
        defaultKind: 'model',
        defaultNamespace: 'default',
      }),
    );
  }

  /**
   * Records the seed's approvals and waivers once per model, after its
   * versions are published (approvals bind to the completed run).
   */
  async #seedGovernance(
    entries: z.infer<typeof seedSchema>['governance'],
    pending: ReadonlySet<string>,
  ) {
    const { governance } = this.options;
    if (!governance) return;
    for (const entry of entries) {
      const entityRef = this.#refOf(entry.model);
      if (pending.has(entityRef)) continue;
      if (await governance.hasDecisions(entityRef)) continue;
      if (entry.promotion) {
        await governance.approvePromotion({ entityRef, ...entry.promotion });
      }
      for (const w of entry.waivers) {
        const expiresAt = new Date(w.expiresAt);
        if (Number.isNaN(expiresAt.getTime())) {
          throw new InputError(
            `Seed waiver of ${entityRef} has an invalid expiresAt '${w.expiresAt}'`,
          );
        }
        await governance.addWaiver({
          entityRef,
          check: w.check,
          reason: w.reason,
          requestedBy: w.requestedBy,
          approvedBy: w.approvedBy,
          expiresAt,
        });
      }
      this.options.logger.info(
        `Recorded example governance decisions for ${entityRef}`,
      );
    }
  }

  /**
   * Seeds until every listed model has appeared in the catalog, retrying
   * every `intervalMs` for up to `timeoutMs`. Never throws: failures are
   * logged, since the demo data must not stop the portal.
   */
  async seedInBackground(intervalMs = 5000, timeoutMs = 10 * 60 * 1000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        const waiting = await this.seedOnce();
        if (waiting.length === 0) return;
        if (Date.now() > deadline) {
          this.options.logger.warn(
            `Gave up seeding example versions of models missing from the catalog: ${waiting
              .map(w => w.model)
              .join(', ')}`,
          );
          return;
        }
      } catch (e) {
        this.options.logger.error(
          `Seeding example versions failed: ${(e as Error).message}`,
        );
        return;
      }
      await new Promise(r => setTimeout(r, intervalMs));
    }
  }
}

async function listFiles(
  root: string,
): Promise<Array<{ relPath: string; absPath: string }>> {
  const out: Array<{ relPath: string; absPath: string }> = [];
  const walk = async (dir: string) => {
    for (const e of await fs.readdir(dir, { withFileTypes: true })) {
      const abs = path.join(dir, e.name);
      if (e.isDirectory()) await walk(abs);
      else if (e.isFile()) {
        out.push({
          relPath: path.relative(root, abs).split(path.sep).join('/'),
          absPath: abs,
        });
      }
    }
  };
  await walk(root);
  return out.sort((a, b) => a.relPath.localeCompare(b.relPath));
}
