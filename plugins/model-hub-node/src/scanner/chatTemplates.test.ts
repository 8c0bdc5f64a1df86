import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scanFile } from './scanFile';

const ESCAPE =
  "{% for m in messages %}{{ m['content'] }}{% endfor %}{{ messages['__cla' + 'ss__'] }}";

describe('chat templates outside GGUF (rendered by transformers apply_chat_template)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'scan-templates-'));

  async function scan(name: string, text: string) {
    const file = join(dir, name);
    writeFileSync(file, text);
    return scanFile(file);
  }

  it.each([
    ['tokenizer_config.json', JSON.stringify({ chat_template: ESCAPE })],
    [
      'tokenizer_config.json',
      JSON.stringify({
        chat_template: [{ name: 'default', template: ESCAPE }],
      }),
    ],
    ['chat_template.json', JSON.stringify({ chat_template: ESCAPE })],
    ['chat_template.jinja', ESCAPE],
  ])('checks the template of %s', async (name, text) => {
    const r = await scan(name, text);
    expect(r.verdict).toBe('unsafe');
    expect(r.findings.map(f => f.rule)).toContain('gguf/chat-template-dunder');
  });

  it('leaves a plain template alone', async () => {
    const r = await scan(
      'tokenizer_config.json',
      JSON.stringify({
        chat_template:
          "{% for m in messages %}{{ m['role'] }}: {{ m['content'] }}{% endfor %}",
      }),
    );
    expect(r.findings.filter(f => f.severity !== 'low')).toEqual([]);
  });
});
