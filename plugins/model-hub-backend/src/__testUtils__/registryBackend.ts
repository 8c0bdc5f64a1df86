import { mockServices } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { modelHubPermissions } from '@internal/plugin-model-hub-common';
import { createLifecycleRouter, DeprecationStore } from '../lifecycle';
import {
  createModelResourceLoader,
  createRegistryRouter,
  RegisteredModelStore,
} from '../registry';
import { registrantsPolicy } from './modelHubBackend';
import {
  registerModelResourceType,
  startRouteTestBackend,
} from './routeBackend';

/** What a test backend with the registry and lifecycle routes exposes. */
export interface RegistryTestBackend {
  server: any;
  catalog: ReturnType<typeof catalogServiceMock>;
  /** The lifecycle router's `onApplied` (runs 200 ms after a change at the latest here). */
  onApplied: jest.Mock;
  auditEvents: Array<{ eventId: string; outcome: string; meta: unknown }>;
  setNow(now: Date): void;
  stop(): Promise<void>;
}

/**
 * Starts a backend with the model-hub registry and lifecycle routes wired as
 * in plugin.ts (permission backend, conditional owner policy, in-memory
 * catalog holding `entities`, users and their groups from `groups`).
 */
export async function startRegistryTestBackend(options: {
  entities: Entity[];
  groups: Record<string, string[]>;
  extraFeatures?: any[];
}): Promise<RegistryTestBackend> {
  const auditEvents: RegistryTestBackend['auditEvents'] = [];
  const onApplied = jest.fn(async () => {});
  const auditor = mockServices.auditor.mock({
    async createEvent(o) {
      const record = (outcome: string) => async () => {
        auditEvents.push({ eventId: o.eventId, outcome, meta: o.meta });
      };
      return { success: record('success'), fail: record('fail') };
    },
  });
  const backend = await startRouteTestBackend({
    entities: options.entities,
    groups: options.groups,
    policy: registrantsPolicy(),
    auditor: auditor.factory,
    features: options.extraFeatures,
    async setup(deps) {
      const registeredModels = await RegisteredModelStore.create(deps);
      registerModelResourceType(
        deps,
        modelHubPermissions,
        createModelResourceLoader({ ...deps, registeredModels }),
      );
      deps.httpRouter.use(
        await createRegistryRouter({ ...deps, store: registeredModels }),
      );
      deps.httpRouter.use(
        await createLifecycleRouter({
          ...deps,
          store: await DeprecationStore.create(deps),
          onApplied,
          followTimeoutMs: 200,
          async pendingModel(entityRef) {
            return (await registeredModels.get(entityRef))?.entity;
          },
        }),
      );
    },
  });
  jest.spyOn(backend.catalog, 'refreshEntity');
  return {
    server: backend.server,
    catalog: backend.catalog,
    onApplied,
    auditEvents,
    setNow: backend.setNow,
    stop: backend.stop,
  };
}
