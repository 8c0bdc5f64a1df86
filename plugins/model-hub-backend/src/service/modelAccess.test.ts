/*
 * The model routes' shared lookup: the model found as the caller (its ref
 * lower case, the caller's actor), a one-line 404 when the caller cannot
 * see it (no permission asked), a 403 naming the owners when the policy
 * denies, a route's own denial message, and the status codes the
 * production error handler gives those errors.
 */
import { MiddlewareFactory } from '@backstage/backend-defaults/rootHttpRouter';
import {
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { modelVersionCreatePermission } from '@internal/plugin-model-hub-common';
import express, { Request } from 'express';
import Router from 'express-promise-router';
import request from 'supertest';
import { ModelLookup } from './cachedEntityLookup';
import { accessModel, ModelAccessOptions } from './modelAccess';

const ALICE = 'user:default/alice';
const MODEL: Entity = {
  apiVersion: 'modelhub.io/v1alpha1',
  kind: 'Model',
  metadata: { name: 'Churn', namespace: 'default' },
  spec: {
    owner: 'group:default/ml-team',
    type: 'classifier',
    lifecycle: 'production',
  },
};

function setup(options: { visible: Entity | undefined; allow: boolean }) {
  const lookups: string[] = [];
  const authorized: string[] = [];
  const httpAuth = {
    credentials: async () => mockCredentials.user(ALICE),
  } as unknown as HttpAuthService;
  const permissions: Pick<PermissionsService, 'authorize'> = {
    authorize: async requests => {
      for (const r of requests) {
        authorized.push(`${r.permission.name} ${(r as any).resourceRef}`);
      }
      return requests.map(() => ({
        result: options.allow ? AuthorizeResult.ALLOW : AuthorizeResult.DENY,
      }));
    },
  };
  const lookupModel: ModelLookup = async (_req, ref, credentials) => {
    lookups.push(`${(credentials.principal as any).userEntityRef} ${ref}`);
    return options.visible;
  };
  const req = { params: { namespace: 'default', name: 'Churn' } } as any;
  return {
    lookups,
    authorized,
    deps: { httpAuth, permissions, lookupModel },
    access: (o?: ModelAccessOptions) =>
      accessModel({ httpAuth, permissions, lookupModel }, req as Request, o),
  };
}

describe('accessModel', () => {
  it('finds the model as the caller and checks the permission on its lower-case ref', async () => {
    const s = setup({ visible: MODEL, allow: true });
    const found = await s.access({ permission: modelVersionCreatePermission });
    expect(found.entity).toBe(MODEL);
    expect(found.entityRef).toBe('model:default/churn');
    expect(found.actor).toBe(ALICE);
    expect(s.lookups).toEqual([`${ALICE} model:default/churn`]);
    expect(s.authorized).toEqual([
      'model-hub.version.create model:default/churn',
    ]);
  });

  it('answers 404 for a model the caller cannot see, without asking the policy', async () => {
    const s = setup({ visible: undefined, allow: true });
    await expect(
      s.access({ permission: modelVersionCreatePermission }),
    ).rejects.toMatchObject({
      name: 'NotFoundError',
      message: 'Model model:default/churn not found in the catalog',
    });
    expect(s.authorized).toEqual([]);
  });

  it('answers 404 for an entity that is not a valid Model when the route wants models only', async () => {
    const s = setup({
      visible: { ...MODEL, apiVersion: 'backstage.io/v1alpha1' },
      allow: true,
    });
    await expect(s.access({ modelsOnly: true })).rejects.toMatchObject({
      name: 'NotFoundError',
    });
    await expect(s.access()).resolves.toMatchObject({
      entityRef: 'model:default/churn',
    });
  });

  it('answers 403 naming the owners when the policy denies, or the route’s own message', async () => {
    const s = setup({ visible: MODEL, allow: false });
    await expect(
      s.access({ permission: modelVersionCreatePermission }),
    ).rejects.toMatchObject({
      name: 'NotAllowedError',
      message:
        'Not allowed to model-hub.version.create on model:default/churn: only its owner group:default/ml-team may',
    });
    await expect(
      s.access({
        permission: modelVersionCreatePermission,
        denial: (p, entity, ref) =>
          `${p.name} ${ref} ${entity.metadata.name}: ask governance`,
      }),
    ).rejects.toMatchObject({
      name: 'NotAllowedError',
      message:
        'model-hub.version.create model:default/churn Churn: ask governance',
    });
    // Seeing the model needs no permission.
    await expect(s.access()).resolves.toMatchObject({ actor: ALICE });
  });

  it.each([
    { what: 'invisible', visible: undefined, allow: true, status: 404 },
    { what: 'denied', visible: MODEL, allow: false, status: 403 },
    { what: 'allowed', visible: MODEL, allow: true, status: 200 },
  ])(
    'through the production error handler: $what → $status',
    async ({ visible, allow, status }) => {
      const s = setup({ visible, allow });
      const router = Router();
      router.get('/v1/models/:namespace/:name', async (req, res) => {
        const { entityRef } = await accessModel(s.deps, req, {
          permission: modelVersionCreatePermission,
        });
        res.json({ entityRef });
      });
      const app = express();
      app.use(router);
      app.use(
        MiddlewareFactory.create({
          config: mockServices.rootConfig(),
          logger: mockServices.logger.mock(),
        }).error(),
      );
      const res = await request(app).get('/v1/models/default/Churn');
      expect(res.status).toBe(status);
    },
  );
});
