import { analyzeChatTemplate, decodePythonEscapes } from './template';

const CHATML =
  "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";
const LLAMA3 =
  "{{- bos_token }}{%- if not date_string is defined %}{%- set date_string = strftime_now(\"%d %b %Y\") %}{%- endif %}{%- if messages[0]['role'] == 'system' %}{%- set system_message = messages[0]['content']|trim %}{%- set messages = messages[1:] %}{%- else %}{%- set system_message = \"\" %}{%- endif %}{{- '<|start_header_id|>system<|end_header_id|>\\n\\n' }}{{- 'Today Date: ' + date_string + '\\n\\n' }}{%- for message in messages %}{%- if message.role == 'assistant' and message.tool_calls is defined %}{%- set tool_call = message.tool_calls[0].function %}{{- '{\"name\": \"' + tool_call.name + '\", ' }}{{- '\"parameters\": ' }}{{- tool_call.arguments | tojson }}{%- else %}{{- '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n'+ message['content'] | trim + '<|eot_id|>' }}{%- endif %}{%- endfor %}{%- if add_generation_prompt %}{{- '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}{%- endif %}";
const MISTRAL =
  "{{ bos_token }}{% for message in messages %}{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}{% if message['role'] == 'user' %}{{ '[INST] ' + message['content'] + ' [/INST]' }}{% elif message['role'] == 'assistant' %}{{ message['content'] + eos_token}}{% endif %}{% endfor %}";
const NAMESPACE =
  "{%- set ns = namespace(found=false) -%}{%- for m in messages -%}{%- if m['role'] == 'system' -%}{%- set ns.found = true -%}{%- endif -%}{%- endfor -%}{{ messages | map(attribute='content') | join('\\n') }}{{ ns.found }}";

describe('analyzeChatTemplate', () => {
  it.each([
    ['ChatML', CHATML],
    ['Llama 3', LLAMA3],
    ['Mistral', MISTRAL],
    ['namespace and map', NAMESPACE],
  ])('finds nothing in the real %s template', (_, t) => {
    expect(analyzeChatTemplate(t)).toEqual({ findings: [] });
  });

  it.each([
    [
      'a macro argument',
      "{% macro g(o, k) %}{{ o[k] }}{% endmacro %}{{ g(messages, '__cla' ~ 'ss__') }}",
    ],
    ['map(attribute=)', "{{ messages | map(attribute='__class__') | list }}"],
    ['a private name', '{{ self._TemplateReference__context }}'],
    ['string multiplication', "{{ messages['_' * 2 + 'class' + '_' * 2] }}"],
    ['percent formatting', "{{ messages['%sclass%s' % ('__', '__')] }}"],
    [
      'a loop over pieces',
      "{% for p in ['__cla', 'ss__'] %}{% set k = p %}{% endfor %}{{ messages[['__cla','ss__']|join('')] }}",
    ],
    ['octal escapes', "{{ messages['\\137\\137class\\137\\137'] }}"],
  ])('finds a dunder built through %s', (_, t) => {
    const rules = analyzeChatTemplate(t).findings.map(f => f.rule);
    expect(rules).toContain('gguf/chat-template-dunder');
  });

  it('flags a subscript assembled from values it cannot resolve', () => {
    const r = analyzeChatTemplate(
      "{{ messages[messages[0]['content'] ~ 'ss__'] }}",
    );
    expect(r.findings.map(f => f.rule)).toContain(
      'gguf/chat-template-dynamic-access',
    );
  });

  it('stays fast on a long chain of concatenations', () => {
    const chain = Array.from({ length: 800 }, (_, i) => `'p${i}'`).join(' ~ ');
    const started = Date.now();
    const r = analyzeChatTemplate(`{{ messages[${chain} ~ '__class__'] }}`);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(r.findings.map(f => f.rule)).toContain('gguf/chat-template-dunder');
  });

  it('reports a template it cannot parse instead of passing it', () => {
    expect(analyzeChatTemplate('{{ messages[ }}').parseError).toBeDefined();
  });

  it('decodes string escapes as Jinja2 does and notes the obfuscating ones', () => {
    const notes = new Set<string>();
    expect(
      decodePythonEscapes('\\x5f\\u005f\\U0000005f\\N{LOW LINE}\\n', notes),
    ).toBe('____\n');
    expect(notes.size).toBe(4);
  });
});
