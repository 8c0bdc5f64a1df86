import { mockCredentials } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import fs from 'node:fs';
import path from 'node:path';
import scaffolderPlugin from '@backstage/plugin-scaffolder-backend';
import scaffolderGithubModule from '@backstage/plugin-scaffolder-backend-module-github';
import { parse } from 'yaml';
import {
  ALICE,
  BOB,
  dataUrl,
  sha256,
  startTestHub,
  testEntities,
  TestHub,
} from './__testUtils__/hub';
import { scaffolderModuleModelHub } from './module';

jest.setTimeout(60_000);

/** A template that publishes an uploaded file and links to the result. */
const template: Entity = {
  apiVersion: 'scaffolder.backstage.io/v1beta3',
  kind: 'Template',
  metadata: { name: 'publish-model-version', namespace: 'default' },
  spec: {
    owner: 'group:default/marketing',
    type: 'model',
    parameters: [
      {
        required: ['version', 'modelFile'],
        properties: {
          version: { type: 'string' },
          modelFile: { type: 'string', format: 'data-url' },
        },
      },
    ],
    steps: [
      {
        id: 'publish',
        name: 'Publish',
        action: 'model-hub:publish-version',
        input: {
          model: 'model:default/no-evaluation',
          version: '${{ parameters.version }}',
          artifacts: ['${{ parameters.modelFile }}'],
          aliases: ['latest'],
          waitForGauntletSeconds: 30,
        },
      },
    ],
    output: {
      links: [{ title: 'Model', url: '${{ steps.publish.output.modelPath }}' }],
      text: [
        {
          title: 'Pull it',
          content: '${{ steps.publish.output.pullCommand }}',
        },
      ],
    },
  },
};

describe('the actions in the real scaffolder', () => {
  let hub: TestHub;

  beforeAll(async () => {
    hub = await startTestHub({
      entities: [...testEntities, template],
      // The portal's scaffolder: the built-in actions, GitHub and ours.
      features: [
        scaffolderPlugin,
        scaffolderGithubModule,
        scaffolderModuleModelHub,
      ],
    });
  });

  afterAll(async () => {
    await hub?.stop();
  });

  async function api(apiPath: string, user: string, init: RequestInit = {}) {
    const res = await fetch(`${hub.origin}/api/scaffolder${apiPath}`, {
      ...init,
      headers: {
        'content-type': 'application/json',
        authorization: mockCredentials.user.header(user),
      },
    });
    return { status: res.status, body: (await res.json()) as any };
  }

  async function runTask(user: string, values: object) {
    const created = await api('/v2/tasks', user, {
      method: 'POST',
      body: JSON.stringify({
        templateRef: 'template:default/publish-model-version',
        values,
      }),
    });
    expect({ status: created.status, body: created.body }).toMatchObject({
      status: 201,
    });
    for (let i = 0; i < 200; i++) {
      const task = await api(`/v2/tasks/${created.body.id}`, user);
      if (['completed', 'failed', 'cancelled'].includes(task.body.status)) {
        const events = await api(`/v2/tasks/${created.body.id}/events`, user);
        const completion = (
          events.body as Array<{ type: string; body: { output?: any } }>
        ).find(e => e.type === 'completion');
        return {
          task: task.body,
          output: completion?.body.output,
          log: (events.body as Array<{ body: { message?: string } }>)
            .map(e => e.body.message ?? '')
            .join('\n'),
        };
      }
      await new Promise(r => setTimeout(r, 100));
    }
    throw new Error('the task did not finish');
  }

  it('lists the Model Hub actions with their schemas and examples', async () => {
    const { status, body } = await api('/v2/actions', ALICE);
    expect(status).toBe(200);
    const ids = (body as Array<{ id: string }>).map(a => a.id);
    expect(ids).toEqual(
      expect.arrayContaining([
        'model-hub:register',
        'model-hub:publish-version',
        'model-hub:request-promotion',
        'model-hub:deprecate',
      ]),
    );
    const publish = body.find(
      (a: { id: string }) => a.id === 'model-hub:publish-version',
    );
    expect(publish.schema.input.required).toEqual(['model', 'version']);
    expect(publish.examples.length).toBeGreaterThan(0);
  });

  it('has every action the example templates call', async () => {
    const { body } = await api('/v2/actions', ALICE);
    const available = new Set((body as Array<{ id: string }>).map(a => a.id));
    const templatesDir = path.resolve(__dirname, '../../../examples/templates');
    const called = fs
      .readdirSync(templatesDir)
      .map(dir => path.join(templatesDir, dir, 'template.yaml'))
      .filter(file => fs.existsSync(file))
      .flatMap(file =>
        (
          parse(fs.readFileSync(file, 'utf8')).spec.steps as Array<{
            action: string;
          }>
        ).map(step => step.action),
      );
    expect(called).toEqual(
      expect.arrayContaining(['model-hub:publish-version']),
    );
    expect(called.filter(id => !available.has(id))).toEqual([]);
  });

  it('publishes an uploaded file as the user who runs the template', async () => {
    const bytes = Buffer.from('not really weights, but bytes all the same');
    const { task, log, output } = await runTask(ALICE, {
      version: '1.0.0',
      modelFile: dataUrl('weights.bin', bytes),
    });
    expect(`${task.status}\n${log}`).toMatch(/^completed\n/);
    expect(log).toContain('Sealed model:default/no-evaluation@1.0.0');
    expect(log).toContain('Gauntlet passed: effective tier community');
    expect(output).toMatchObject({
      links: [{ title: 'Model', url: '/catalog/default/model/no-evaluation' }],
      text: [
        {
          title: 'Pull it',
          content: 'model-hub pull model:default/no-evaluation@1.0.0',
        },
      ],
    });
    const version = await hub.client.getVersion(
      'model:default/no-evaluation',
      'latest',
      { credentials: mockCredentials.user(ALICE) },
    );
    expect(version).toMatchObject({
      version: '1.0.0',
      state: 'sealed',
      createdBy: ALICE,
      files: [
        expect.objectContaining({ path: 'weights.bin', sha256: sha256(bytes) }),
      ],
    });
  });

  it("fails the task with the hub's refusal for a user who does not own the model", async () => {
    const { task, log } = await runTask(BOB, {
      version: '2.0.0',
      modelFile: dataUrl('weights.bin', Buffer.from('x')),
    });
    expect(task.status).toBe('failed');
    expect(log).toContain(
      'Could not create version 2.0.0 of model:default/no-evaluation: Not allowed',
    );
  });
});
