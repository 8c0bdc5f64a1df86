jest.setTimeout(30000);
import { screen, waitFor } from '@testing-library/react';
import {
  FakeModelHubApi,
  modelEntity,
  modelVersion,
  versionFile,
} from '../../__testUtils__/fixtures';
import { renderEntityCard } from '../../__testUtils__/render';
import { INGESTION_ANNOTATIONS } from '@internal/plugin-model-hub-common';
import {
  EntityModelReadmeCard,
  MAX_MODEL_CARD_BYTES,
} from './EntityModelReadmeCard';

const REF = 'model:default/m';
const PNG = new Blob([new Uint8Array([0x89, 0x50, 0x4e, 0x47])]);
/** What the card shows for img/calibration.png: its bytes, typed by extension. */
const PNG_DATA_URL = 'data:image/png;base64,iVBORw==';

const CARD = `# Sentiment classifier

Scores English reviews. See [the paper](https://example.com/paper) and [usage](#usage).

| metric | value |
| ------ | ----- |
| accuracy | 0.88 |

\`\`\`python
model.predict(x)
\`\`\`

![calibration plot](img/calibration.png)
![not in version](img/missing.png)
![tracker](https://tracker.example.com/pixel.png)
`;

/** Every way we know to smuggle script into rendered Markdown. */
const ATTACKS = `
<script>window.__pwned = 'script'</script>
<img src=x onerror="window.__pwned = 'onerror'">
<img src="img/calibration.png" onload="window.__pwned = 'onload'">
[click](javascript:alert(1))
[entity](javascript&#58;alert(1))
<a href="JaVaScRiPt:window.__pwned='case'">mixed case</a>
<a href=" javascript:alert(1)">leading space</a>
<a href="java&#x09;script:alert(1)">tab</a>
[data link](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)
![data image](data:image/png;base64,iVBORw0KGgo=)
<img src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+">
<svg><script>window.__pwned = 'svg'</script><circle onmouseover="alert(1)"/></svg>
![svg file](img/evil.svg)
<iframe src="https://evil.example.com"></iframe>
<a href="//evil.example.com/x">protocol relative</a>
<a href="../../../etc/passwd">escape</a>
<div style="position:fixed;top:0" onclick="alert(1)">styled</div>
<form action="https://evil.example.com"><input name="q"></form>
<object data="x.swf"></object>
<base href="https://evil.example.com/">
<meta http-equiv="refresh" content="0;url=https://evil.example.com">
`;

function api(readme: string, extraFiles: Record<string, Blob> = {}) {
  return new FakeModelHubApi({
    versions: {
      [REF]: [
        modelVersion('m', '2.0.0', {
          aliases: ['latest'],
          files: [
            versionFile('README.md'),
            versionFile('img/calibration.png'),
            versionFile('img/evil.svg'),
            versionFile('model.onnx'),
          ],
        }),
      ],
    },
    files: {
      [`${REF}@2.0.0/README.md`]: new Blob([readme]),
      [`${REF}@2.0.0/img/calibration.png`]: PNG,
      [`${REF}@2.0.0/img/evil.svg`]: new Blob(['<svg onload="alert(1)"/>']),
      ...extraFiles,
    },
  });
}

beforeEach(() => {
  delete (window as any).__pwned;
});

const UPSTREAM_SHA = 'a'.repeat(40);

/** A model ingested from Hugging Face, with no version in the hub. */
const ingested = modelEntity('m', {
  metadata: {
    annotations: {
      [INGESTION_ANNOTATIONS.source]: 'huggingface:hf',
      [INGESTION_ANNOTATIONS.remoteId]: 'acme/tiny',
      [INGESTION_ANNOTATIONS.revision]: UPSTREAM_SHA,
    },
  },
});

describe('EntityModelReadmeCard', () => {
  it("shows an ingested Hugging Face model's upstream card, inert, when the hub holds none", async () => {
    const readUpstreamCard = jest.fn(async () => ({
      source: 'huggingface:hf',
      remoteId: 'acme/tiny',
      revision: UPSTREAM_SHA,
      markdown: `# Tiny upstream\n\n![plot](img/plot.png)\n${ATTACKS}`,
      truncated: false,
    }));
    const hub = new FakeModelHubApi({ versions: { [REF]: [] } });
    await renderEntityCard(<EntityModelReadmeCard />, {
      entity: ingested,
      modelHubApi: hub,
      importApi: { readUpstreamCard },
    });
    expect(
      await screen.findByRole('heading', { name: 'Tiny upstream' }),
    ).toBeInTheDocument();
    expect(readUpstreamCard).toHaveBeenCalledWith(REF);
    expect(
      screen.getByText(/README\.md of acme\/tiny at commit aaaaaaa/),
    ).toBeInTheDocument();
    const card = screen.getByTestId('model-readme');
    for (const tag of ['script', 'svg', 'iframe', 'object', 'form']) {
      expect(card.querySelectorAll(tag)).toHaveLength(0);
    }
    // Its images are never fetched from the hub (they are not hub files).
    expect(card.querySelectorAll('img')).toHaveLength(0);
    expect(hub.reads).toEqual([]);
    expect((window as any).__pwned).toBeUndefined();
  });

  it('says there is no card when the upstream card cannot be read', async () => {
    await renderEntityCard(<EntityModelReadmeCard />, {
      entity: ingested,
      modelHubApi: new FakeModelHubApi({ versions: { [REF]: [] } }),
      importApi: {
        readUpstreamCard: jest.fn(async () => {
          throw new Error('acme/tiny has no README.md');
        }),
      },
    });
    expect(await screen.findByText('No model card yet')).toBeInTheDocument();
  });

  it('renders headings, tables, code, links and same-version images of the latest version', async () => {
    const hub = api(CARD);
    await renderEntityCard(<EntityModelReadmeCard />, {
      entity: modelEntity('m'),
      modelHubApi: hub,
    });
    expect(
      await screen.findByRole('heading', { name: 'Sentiment classifier' }),
    ).toBeInTheDocument();
    expect(screen.getByText('README.md of version 2.0.0')).toBeInTheDocument();
    expect(screen.getByRole('cell', { name: '0.88' })).toBeInTheDocument();
    expect(screen.getByText('model.predict(x)')).toBeInTheDocument();
    expect(screen.getByRole('link', { name: /the paper/ })).toHaveAttribute(
      'href',
      'https://example.com/paper',
    );
    const img = await screen.findByRole('img', { name: 'calibration plot' });
    // Read through the hub API (with credentials), typed by extension.
    expect(img).toHaveAttribute('src', PNG_DATA_URL);
    expect(hub.reads).toContain(`${REF}@2.0.0/img/calibration.png`);
    // Showing the card is not pulling the model: every read is a preview.
    expect(hub.previews).toEqual(hub.reads);
    expect(
      screen.getByText(/not in version 2\.0\.0/, { exact: false }),
    ).toBeInTheDocument();
    // Third-party images are not loaded, only linked.
    expect(hub.reads).not.toContain(expect.stringContaining('tracker'));
    expect(
      screen.getByRole('link', { name: /\[external image: tracker\]/ }),
    ).toBeInTheDocument();
  });

  it('renders a hostile card inert', async () => {
    const hub = api(`# Hostile\n${ATTACKS}`);
    const { container } = await renderEntityCard(<EntityModelReadmeCard />, {
      entity: modelEntity('m'),
      modelHubApi: hub,
    });
    await screen.findByRole('heading', { name: 'Hostile' });
    await waitFor(() => expect(hub.reads.length).toBeGreaterThan(1));
    const card = screen.getByTestId('model-readme');
    for (const tag of [
      'script',
      'svg',
      'iframe',
      'object',
      'form',
      'base',
      'meta',
      'style',
    ]) {
      expect(card.querySelectorAll(tag)).toHaveLength(0);
    }
    // The only input the schema keeps is GitHub's task-list box: disabled.
    for (const input of Array.from(card.querySelectorAll('input'))) {
      expect(input).toBeDisabled();
      expect(input).toHaveAttribute('type', 'checkbox');
    }
    for (const el of Array.from(card.querySelectorAll('*'))) {
      for (const attr of Array.from(el.attributes)) {
        expect(attr.name).not.toMatch(/^on/i);
        expect(attr.name).not.toBe('style');
        if (el.tagName === 'IMG' && attr.name === 'src') continue;
        expect(attr.value).not.toMatch(/^\s*(javascript|data|vbscript)\s*:/i);
        expect(attr.value.replace(/\s/g, '')).not.toMatch(/javascript:/i);
      }
    }
    for (const a of Array.from(card.querySelectorAll('a'))) {
      const href = a.getAttribute('href') ?? '';
      expect(href).toMatch(/^(https:\/\/|#)/);
      expect(href).not.toContain('evil.example.com');
    }
    // The only image shown is the version's PNG, however often it is referenced.
    const images = Array.from(container.querySelectorAll('img'));
    expect(images.length).toBeGreaterThan(0);
    for (const img of images) {
      expect(img.getAttribute('src')).toBe(PNG_DATA_URL);
    }
    // The SVG file was never fetched; nothing escaped the version.
    expect(hub.reads).not.toContain(`${REF}@2.0.0/img/evil.svg`);
    expect(hub.reads.every(r => r.startsWith(`${REF}@2.0.0/`))).toBe(true);
    expect(hub.reads.some(r => r.includes('passwd'))).toBe(false);
    expect((window as any).__pwned).toBeUndefined();
    expect(screen.getByText('mixed case')).toBeInTheDocument();
  });

  it('reads at most the size cap of a huge card and says so', async () => {
    const huge = `# Big\n\n${'lorem ipsum '.repeat(60_000)}`;
    await renderEntityCard(<EntityModelReadmeCard />, {
      entity: modelEntity('m'),
      modelHubApi: api(huge),
    });
    expect(
      await screen.findByText(/only the first 256 KiB are shown/),
    ).toBeInTheDocument();
    expect(
      screen.getByTestId('model-readme').textContent!.length,
    ).toBeLessThanOrEqual(MAX_MODEL_CARD_BYTES);
  });

  it('says when the version has no card and links to the publish template', async () => {
    await renderEntityCard(<EntityModelReadmeCard />, {
      entity: modelEntity('m'),
      modelHubApi: new FakeModelHubApi({
        versions: { [REF]: [modelVersion('m', '1.0.0')] },
      }),
    });
    expect(
      await screen.findByText('Version 1.0.0 has no model card'),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('link', { name: 'Publish a version with a README.md' }),
    ).toHaveAttribute(
      'href',
      '/create/templates/default/publish-model-version',
    );
  });
});
