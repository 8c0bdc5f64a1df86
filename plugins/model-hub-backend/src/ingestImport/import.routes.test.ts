import { mockCredentials } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import {
  INGESTION_ANNOTATIONS,
  modelHubApiPaths,
} from '@internal/plugin-model-hub-common';
import net from 'node:net';
import request from 'supertest';
import {
  ModelHubTestBackend,
  startModelHubTestBackend,
  TEST_GOVERNANCE_GROUP,
} from '../__testUtils__/modelHubBackend';

/*
 * Who may import an ingested model's version, under the portal-shaped
 * policy (the real importPolicyDecision): its owners and the governance
 * group; everyone else gets 403 before the source is touched. The source
 * here is unreachable, so an allowed call ends in the one-line 503.
 */

jest.setTimeout(60_000);

const OWNER = 'user:default/ava';
const OTHER = 'user:default/bob';
const GOVERNANCE = 'user:default/gina';

const ingested: Entity = {
  apiVersion: 'modelhub.io/v1alpha1',
  kind: 'Model',
  metadata: {
    name: 'mlflow-prod-fraud',
    namespace: 'default',
    annotations: {
      [INGESTION_ANNOTATIONS.source]: 'mlflow:prod',
      [INGESTION_ANNOTATIONS.remoteId]: 'fraud',
      [INGESTION_ANNOTATIONS.revision]: '3',
      [INGESTION_ANNOTATIONS.versions]: JSON.stringify([{ version: '3' }]),
    },
  },
  spec: { owner: 'group:default/fraud', type: 'classifier', tier: 'community' },
};
const published: Entity = {
  ...ingested,
  metadata: { name: 'hub-native', namespace: 'default' },
};

/** A local port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  await new Promise(r => server.close(r));
  return port;
}

describe('import route permissions', () => {
  let backend: ModelHubTestBackend;

  let port: number;

  beforeAll(async () => {
    port = await closedPort();
    backend = await startModelHubTestBackend({
      entities: [ingested, published],
      groups: {
        [OWNER]: ['group:default/fraud'],
        [OTHER]: ['group:default/risk'],
        [GOVERNANCE]: [TEST_GOVERNANCE_GROUP],
      },
      modelHub: {
        ingestion: {
          mlflow: [
            {
              id: 'prod',
              baseUrl: `http://127.0.0.1:${port}`,
              defaultOwner: 'group:default/fraud',
            },
          ],
        },
      },
    });
  });
  afterAll(() => backend?.stop());

  const post = (ref: string, user?: string) => {
    const r = request(backend.server)
      .post(`/api/model-hub${modelHubApiPaths.importVersion(ref)}`)
      .send({ version: '3' });
    return user ? r.set('authorization', mockCredentials.user.header(user)) : r;
  };
  const canImport = async (user: string) =>
    (
      await request(backend.server)
        .get(
          `/api/model-hub${modelHubApiPaths.imports(
            'model:default/mlflow-prod-fraud',
          )}`,
        )
        .set('authorization', mockCredentials.user.header(user))
    ).body.canImport;

  it('refuses another team with 403 before touching the source', async () => {
    const res = await post('model:default/mlflow-prod-fraud', OTHER);
    expect(res.status).toBe(403);
    expect(res.body.error.message).toBe(
      'Not allowed to model-hub.version.import on model:default/mlflow-prod-fraud: only its owner group:default/fraud or the governance group may import its versions',
    );
    expect(await canImport(OTHER)).toBe(false);
    const unauthenticated = await post('model:default/mlflow-prod-fraud');
    expect(unauthenticated.status).toBe(401);
  });

  it.each([
    ['an owner', OWNER],
    ['the governance group', GOVERNANCE],
  ])(
    'lets %s import (the unreachable source answers in one line)',
    async (_who, user) => {
      const res = await post('model:default/mlflow-prod-fraud', user);
      expect(res.status).toBe(503);
      expect(res.body.error.message).toMatch(
        /^Could not reach mlflow:prod at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\) while reading the download URI of version 3 of fraud; check/,
      );
      expect(res.body.error.message).not.toContain('\n');
      expect(await canImport(user)).toBe(true);
      const audit = backend.audit.filter(e => e.eventId === 'version-import');
      expect(audit[audit.length - 1]).toMatchObject({
        actor: user,
        outcome: 'failure',
      });
    },
  );

  it('refuses a model that was not ingested', async () => {
    const res = await post('model:default/hub-native', OWNER);
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(
      /was not ingested from another registry/,
    );
  });
});
