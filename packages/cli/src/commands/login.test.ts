import { promises as fs } from 'node:fs';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../__testUtils__/runCli';

jest.setTimeout(60_000);

const GOOD = `mhp_0123456789abcdef_${'a'.repeat(43)}`;

describe('model-hub login and token loading', () => {
  let server: http.Server;
  let portal: string;
  let dir: string;
  const seen: Array<string | undefined> = [];

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      seen.push(req.headers.authorization);
      if (req.headers.authorization !== `Bearer ${GOOD}`) {
        res.writeHead(401, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            error: { message: "Personal access token 'laptop' was revoked" },
          }),
        );
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      if (req.url === '/api/model-hub/v1/tokens') {
        res.end(JSON.stringify({ items: [{ owner: 'user:default/alice' }] }));
      } else {
        res.end(
          JSON.stringify({ version: '1.0.0', state: 'draft', files: [] }),
        );
      }
    });
    await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
    portal = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'model-hub-login-'));
    seen.length = 0;
  });

  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  afterAll(() => new Promise(r => server.close(r)));

  const env = () => {
    const e: NodeJS.ProcessEnv = { ...process.env, MODEL_HUB_CONFIG_DIR: dir };
    delete e.MODEL_HUB_TOKEN;
    delete e.MODEL_HUB_PORTAL_URL;
    return e;
  };

  it('checks the token with the portal and saves it readable only by the user', async () => {
    const run = await runCli(['login', '--token', GOOD, '--portal', portal], {
      env: env(),
    });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('as user:default/alice');
    const file = path.join(dir, 'token');
    expect((await fs.readFile(file, 'utf8')).trim()).toBe(GOOD);
    expect((await fs.stat(file)).mode & 0o777).toBe(0o600);

    // Later commands use the saved token; MODEL_HUB_TOKEN overrides it.
    await runCli(['pull', 'model:default/x@1.0.0', '--portal', portal], {
      env: env(),
      cwd: dir,
    });
    expect(seen.at(-1)).toBe(`Bearer ${GOOD}`);
    await runCli(['pull', 'model:default/x@1.0.0', '--portal', portal], {
      env: { ...env(), MODEL_HUB_TOKEN: 'mhp_other' },
      cwd: dir,
    });
    expect(seen.at(-1)).toBe('Bearer mhp_other');
  });

  it('refuses a token the portal does not accept, in one line, and saves nothing', async () => {
    const run = await runCli(
      ['login', '--token', 'mhp_revoked', '--portal', portal],
      { env: env() },
    );
    expect(run.code).not.toBe(0);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toContain('401');
    expect(run.stderr).toContain('was revoked');
    await expect(fs.stat(path.join(dir, 'token'))).rejects.toThrow();
  });

  it('uses the token a local portal wrote to data/model-hub-token in a parent directory', async () => {
    await fs.mkdir(path.join(dir, 'data'));
    await fs.writeFile(path.join(dir, 'data', 'model-hub-token'), `${GOOD}\n`);
    const cwd = path.join(dir, 'examples', 'deep');
    await fs.mkdir(cwd, { recursive: true });
    const local = portal.replace('127.0.0.1', 'localhost');
    await runCli(['pull', 'model:default/x@1.0.0', '--portal', local], {
      env: { ...env(), MODEL_HUB_CONFIG_DIR: path.join(dir, 'none') },
      cwd,
    });
    expect(seen.at(-1)).toBe(`Bearer ${GOOD}`);
  });
});
