import { setupServer } from 'msw/node';
import { http, HttpResponse } from 'msw';
import { ModelHubClient } from './ModelHubClient';

const baseUrl = 'http://localhost:7007/api/model-hub';
const server = setupServer();
const FILE = `${baseUrl}/v1/models/default/m/versions/1.0.0/files/docs/READ%20ME.md`;

describe('ModelHubClient.readFile', () => {
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterEach(() => server.resetHandlers());
  afterAll(() => server.close());

  const client = new ModelHubClient({
    discoveryApi: { getBaseUrl: async () => baseUrl },
    fetchApi: { fetch: (input, init) => fetch(input, init) },
  });
  const text = 'x'.repeat(100);

  it('asks for a byte range and reports the whole size from Content-Range', async () => {
    let range: string | null = null;
    server.use(
      http.get(FILE, ({ request }) => {
        range = request.headers.get('range');
        return new HttpResponse(text.slice(0, 10), {
          status: 206,
          headers: { 'Content-Range': 'bytes 0-9/100' },
        });
      }),
    );
    const content = await client.readFile(
      'model:default/m',
      '1.0.0',
      'docs/READ ME.md',
      {
        maxBytes: 10,
      },
    );
    expect(range).toBe('bytes=0-9');
    expect(content.size).toBe(100);
    expect(content.truncated).toBe(true);
    expect(await content.blob.text()).toBe('x'.repeat(10));
  });

  it('marks a preview read as such, and only a preview read', async () => {
    const purposes: Array<string | null> = [];
    server.use(
      http.get(FILE, ({ request }) => {
        purposes.push(new URL(request.url).searchParams.get('purpose'));
        return new HttpResponse(text.slice(0, 10), {
          status: 206,
          headers: { 'Content-Range': 'bytes 0-9/100' },
        });
      }),
    );
    const ref = 'model:default/m';
    await client.readFile(ref, '1.0.0', 'docs/READ ME.md', {
      maxBytes: 10,
      preview: true,
    });
    await client.readFile(ref, '1.0.0', 'docs/READ ME.md', { maxBytes: 10 });
    expect(purposes).toEqual(['preview', null]);
  });

  it('cuts a whole-file answer (range ignored) to the cap itself', async () => {
    server.use(http.get(FILE, () => new HttpResponse(text, { status: 200 })));
    const content = await client.readFile(
      'model:default/m',
      '1.0.0',
      'docs/READ ME.md',
      {
        maxBytes: 10,
      },
    );
    expect(content).toMatchObject({ size: 100, truncated: true });
    expect(content.blob.size).toBe(10);
  });

  it('reads a small file whole', async () => {
    server.use(
      http.get(
        FILE,
        () =>
          new HttpResponse('hello', {
            status: 206,
            headers: { 'Content-Range': 'bytes 0-4/5' },
          }),
      ),
    );
    const content = await client.readFile(
      'model:default/m',
      '1.0.0',
      'docs/READ ME.md',
      {
        maxBytes: 1024,
      },
    );
    expect(content).toMatchObject({ size: 5, truncated: false });
    expect(await content.blob.text()).toBe('hello');
  });

  it('throws the server error', async () => {
    server.use(
      http.get(FILE, () =>
        HttpResponse.json(
          { error: { name: 'NotFoundError', message: 'no such file' } },
          { status: 404 },
        ),
      ),
    );
    await expect(
      client.readFile('model:default/m', '1.0.0', 'docs/READ ME.md', {
        maxBytes: 10,
      }),
    ).rejects.toThrow(/404/);
  });
});
