import { ConfigReader } from '@backstage/config';
import { readHuggingFaceConnection, readMlflowConnection } from './connections';

const mlflow = (extra: object = {}) =>
  new ConfigReader({ id: 'ml', baseUrl: 'http://mlflow:5000', ...extra });

describe('readMlflowConnection', () => {
  it('reads a source without auth or S3', () => {
    expect(readMlflowConnection(mlflow())).toEqual({
      kind: 'mlflow',
      sourceId: 'ml',
      baseUrl: 'http://mlflow:5000',
      auth: { type: 'none' },
    });
  });

  it('reads basic and bearer auth, and refuses another type', () => {
    expect(
      readMlflowConnection(
        mlflow({ auth: { type: 'basic', username: 'u', password: 'p' } }),
      ).auth,
    ).toEqual({ type: 'basic', username: 'u', password: 'p' });
    expect(
      readMlflowConnection(mlflow({ auth: { type: 'bearer', token: 't' } }))
        .auth,
    ).toEqual({ type: 'bearer', token: 't' });
    expect(() =>
      readMlflowConnection(mlflow({ auth: { type: 'digest' } })),
    ).toThrow(
      'modelHub.ingestion.mlflow[ml].auth.type must be none, basic or bearer, got "digest"',
    );
  });

  it('refuses an id that is not a short slug and a base URL that is not http(s)', () => {
    expect(() => readMlflowConnection(mlflow({ id: 'Not A Slug' }))).toThrow(
      /id "Not A Slug" must be a short lowercase slug/,
    );
    expect(() => readMlflowConnection(mlflow({ id: 'a'.repeat(21) }))).toThrow(
      /at most 20 characters/,
    );
    expect(() =>
      readMlflowConnection(mlflow({ baseUrl: 'file:///etc/passwd' })),
    ).toThrow(
      'modelHub.ingestion.mlflow[ml].baseUrl must be an http(s) URL, got "file:///etc/passwd"',
    );
  });

  describe('s3', () => {
    it('reads buckets, endpoint, credentials and the page size', () => {
      const c = readMlflowConnection(
        mlflow({
          s3: {
            buckets: ['mlflow-artifacts', 'team.models'],
            region: 'eu-west-1',
            endpoint: 'http://127.0.0.1:4569',
            forcePathStyle: true,
            accessKeyId: 'AKID',
            secretAccessKey: 'SECRET',
            listPageSize: 10,
          },
        }),
      );
      expect(c.s3).toEqual({
        buckets: ['mlflow-artifacts', 'team.models'],
        region: 'eu-west-1',
        endpoint: 'http://127.0.0.1:4569',
        forcePathStyle: true,
        credentials: { accessKeyId: 'AKID', secretAccessKey: 'SECRET' },
        listPageSize: 10,
      });
    });

    it('defaults to the SDK credential chain and pages of 1000', () => {
      const c = readMlflowConnection(mlflow({ s3: { buckets: ['b-1'] } }));
      expect(c.s3).toMatchObject({ buckets: ['b-1'], listPageSize: 1000 });
      expect(c.s3?.credentials).toBeUndefined();
    });

    it.each([
      [{ buckets: [] }, /buckets must name at least one bucket/],
      [
        { buckets: ['Bad_Bucket'] },
        /entry "Bad_Bucket" is not an S3 bucket name/,
      ],
      [{ buckets: ['ab'] }, /entry "ab" is not an S3 bucket name/],
      [
        { buckets: ['b-1'], endpoint: 'ftp://x' },
        /endpoint must be an http\(s\) URL, got "ftp:\/\/x"/,
      ],
      [
        { buckets: ['b-1'], accessKeyId: 'AKID' },
        /needs both accessKeyId and secretAccessKey, or neither/,
      ],
      [
        { buckets: ['b-1'], listPageSize: 0 },
        /listPageSize must be an integer from 1 to 1000/,
      ],
      [
        { buckets: ['b-1'], listPageSize: 1001 },
        /listPageSize must be an integer from 1 to 1000/,
      ],
      [
        { buckets: ['b-1'], listPageSize: 2.5 },
        /listPageSize must be an integer from 1 to 1000/,
      ],
    ])('refuses %j with one line naming the key', (s3, message) => {
      let error: Error | undefined;
      try {
        readMlflowConnection(mlflow({ s3 }));
      } catch (e) {
        error = e as Error;
      }
      expect(error?.message).toMatch(message);
      expect(error?.message).toMatch(/^modelHub\.ingestion\.mlflow\[ml\]\.s3/);
      expect(error?.message).not.toContain('\n');
    });

    it('never puts the secret in a message', () => {
      let message = '';
      try {
        readMlflowConnection(
          mlflow({ s3: { buckets: ['b-1'], secretAccessKey: 'TOPSECRET' } }),
        );
      } catch (e) {
        message = (e as Error).message;
      }
      expect(message).toMatch(/needs both/);
      expect(message).not.toContain('TOPSECRET');
    });
  });
});

describe('readHuggingFaceConnection', () => {
  it('defaults to huggingface.co and the HF_TOKEN variable', () => {
    expect(
      readHuggingFaceConnection(new ConfigReader({}), { HF_TOKEN: 'hf_x' }),
    ).toEqual({
      kind: 'huggingface',
      sourceId: 'hf',
      endpoint: 'https://huggingface.co',
      token: 'hf_x',
    });
  });

  it('prefers the configured token and refuses a bad id or endpoint', () => {
    expect(
      readHuggingFaceConnection(
        new ConfigReader({
          id: 'mirror',
          endpoint: 'http://hf:8080',
          token: 'hf_cfg',
        }),
        { HF_TOKEN: 'hf_env' },
      ),
    ).toMatchObject({
      sourceId: 'mirror',
      endpoint: 'http://hf:8080',
      token: 'hf_cfg',
    });
    expect(() =>
      readHuggingFaceConnection(new ConfigReader({ id: 'HF!' }), {}),
    ).toThrow(/id "HF!" must be a short lowercase slug/);
    expect(() =>
      readHuggingFaceConnection(
        new ConfigReader({ endpoint: 'gopher://hf' }),
        {},
      ),
    ).toThrow(/endpoint must be an http\(s\) URL/);
  });
});
