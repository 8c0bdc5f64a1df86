import { Readable } from 'node:stream';
import { mockServices } from '@backstage/backend-test-utils';
import {
  assertUniquePaths,
  openArtifact,
  parseDataUrl,
  planArtifact,
} from './artifacts';

async function readAll(body: Buffer | Readable): Promise<Buffer> {
  if (Buffer.isBuffer(body)) return body;
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

describe('parseDataUrl', () => {
  it("decodes the data URL rjsf's file widget produces, with its URI-encoded file name", () => {
    const bytes = Buffer.from([0, 1, 2, 250, 251]);
    const url = `data:application/octet-stream;name=${encodeURIComponent(
      'model weights.bin',
    )};base64,${bytes.toString('base64')}`;
    expect(parseDataUrl(url, 'artifacts[0]')).toEqual({
      mediaType: 'application/octet-stream',
      name: 'model weights.bin',
      bytes,
    });
  });

  it('decodes percent-encoded (non-base64) data', () => {
    expect(
      parseDataUrl('data:text/csv,label%2Cprediction%0A1%2C1%0A', 'x'),
    ).toEqual({
      mediaType: 'text/csv',
      name: undefined,
      bytes: Buffer.from('label,prediction\n1,1\n'),
    });
  });

  it.each([
    ['no comma', 'data:text/plain;base64', /not a valid data URL: expected/],
    [
      'characters outside base64',
      'data:;base64,ab$c',
      /base64 data is malformed/,
    ],
    ['truncated base64', 'data:;base64,abcde', /base64 data is malformed/],
    [
      'broken percent-encoding',
      'data:text/plain,%E0%A4%A',
      /malformed percent-encoding/,
    ],
  ])('rejects a data URL with %s', (_case, url, message) => {
    expect(() => parseDataUrl(url, 'artifacts[2]')).toThrow(message);
    expect(() => parseDataUrl(url, 'artifacts[2]')).toThrow(/^artifacts\[2\]/);
  });
});

describe('planArtifact', () => {
  it("takes the path from the URL's last segment, the upload's name, or the input", () => {
    expect(
      planArtifact('https://files.example.com/a/b/model%20v2.onnx?raw=1', 'a'),
    ).toMatchObject({ kind: 'url', path: 'model v2.onnx' });
    expect(
      planArtifact(
        {
          url: 'https://files.example.com/a/model.onnx',
          path: 'weights/model.onnx',
        },
        'a',
      ),
    ).toMatchObject({ kind: 'url', path: 'weights/model.onnx' });
    expect(
      planArtifact('data:text/plain;name=notes.txt;base64,aGk=', 'a'),
    ).toMatchObject({
      kind: 'data',
      path: 'notes.txt',
      bytes: Buffer.from('hi'),
    });
  });

  it('needs a path when none can be derived', () => {
    expect(() =>
      planArtifact('https://files.example.com/', 'artifacts[1]'),
    ).toThrow(
      'artifacts[1] "https://files.example.com/" has no file name in its path; give it a path',
    );
    expect(() =>
      planArtifact('data:text/plain;base64,aGk=', 'artifacts[1]'),
    ).toThrow('artifacts[1] is a data URL without a file name; give it a path');
  });

  it('rejects what is neither an absolute URL nor a data URL', () => {
    expect(() => planArtifact('./model.onnx', 'artifacts[0]')).toThrow(
      'artifacts[0] "./model.onnx" is not an absolute URL or a data: URL',
    );
    expect(() => planArtifact({ url: '' }, 'artifacts[0]')).toThrow(
      'artifacts[0] has no URL',
    );
  });

  it('finds two artifacts at one path', () => {
    const a = planArtifact(
      'https://files.example.com/x/model.onnx',
      'artifacts[0]',
    );
    const b = planArtifact(
      'https://files.example.com/y/model.onnx',
      'artifacts[1]',
    );
    expect(() => assertUniquePaths([a, b])).toThrow(
      'Two artifacts would be stored at the same path "model.onnx": https://files.example.com/x/model.onnx and https://files.example.com/y/model.onnx; give one of them another path',
    );
  });
});

describe('openArtifact', () => {
  it('streams a URL through the url reader and hashes what it read', async () => {
    const urlReader = mockServices.urlReader.mock({
      readUrl: async () => ({
        buffer: async () => Buffer.from('unused'),
        stream: () =>
          Readable.from([Buffer.from('hello '), Buffer.from('world')]),
      }),
    });
    const opened = await openArtifact(
      planArtifact('https://files.example.com/hello.txt', 'a'),
      urlReader,
    );
    expect((await readAll(opened.body)).toString()).toBe('hello world');
    expect(opened.size()).toBe(11);
    expect(opened.sha256()).toBe(
      'b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9',
    );
  });

  it('falls back to the buffer when the reader offers no stream', async () => {
    const urlReader = mockServices.urlReader.mock({
      readUrl: async () => ({ buffer: async () => Buffer.from('abc') }),
    });
    const opened = await openArtifact(
      planArtifact('https://files.example.com/abc.txt', 'a'),
      urlReader,
    );
    expect((await readAll(opened.body)).toString()).toBe('abc');
  });

  it('names the URL when the source stream fails half-way', async () => {
    const urlReader = mockServices.urlReader.mock({
      readUrl: async () => ({
        buffer: async () => Buffer.alloc(0),
        stream: () =>
          new Readable({
            read() {
              this.push(Buffer.from('partial'));
              this.destroy(new Error('connection reset'));
            },
          }),
      }),
    });
    const opened = await openArtifact(
      planArtifact('https://files.example.com/big.bin', 'a'),
      urlReader,
    );
    await expect(readAll(opened.body)).rejects.toThrow(
      'Could not read artifact https://files.example.com/big.bin: connection reset',
    );
    expect(opened.sourceError()?.message).toBe('connection reset');
  });
});
