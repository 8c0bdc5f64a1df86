/**
 * Static analysis of Jinja chat templates (GGUF `tokenizer.chat_template`).
 * The template is parsed with a real Jinja parser (@huggingface/jinja), and
 * every attribute or subscript access, `attr` filter and string-building
 * expression is evaluated statically, so a dunder name assembled at run
 * time (`'__cla' + 'ss__'`, `~`, `|join`, `|replace`, `|format`,
 * `.format()`, `{% set %}` variables, Python string escapes such as
 * `\x5f`, `\U0000005f` or `\N{LOW LINE}`) is found in the syntax tree.
 */

/** One problem found in a template. */
export interface TemplateFinding {
  severity: 'critical' | 'high';
  rule:
    | 'gguf/chat-template-dunder'
    | 'gguf/chat-template-dynamic-access'
    | 'gguf/chat-template-obfuscated';
  message: string;
}

/** Result of {@link analyzeChatTemplate}. */
export interface TemplateAnalysis {
  findings: TemplateFinding[];
  /** Set when the template could not be parsed. */
  parseError?: string;
}

type Val = string | number | boolean | Val[] | undefined;
type Node = { type: string; [k: string]: any };

/** Names Python resolves `\N{...}` to that matter for identifiers. */
function unicodeName(name: string): string | undefined {
  const n = name.trim().toUpperCase();
  if (n === 'LOW LINE') return '_';
  if (n === 'FULL STOP') return '.';
  if (n === 'SPACE') return ' ';
  const m = /^LATIN (SMALL|CAPITAL) LETTER ([A-Z])$/.exec(n);
  if (m) return m[1] === 'SMALL' ? m[2].toLowerCase() : m[2];
  const d = /^DIGIT (ZERO|ONE|TWO|THREE|FOUR|FIVE|SIX|SEVEN|EIGHT|NINE)$/.exec(
    n,
  );
  if (d)
    return String(
      [
        'ZERO',
        'ONE',
        'TWO',
        'THREE',
        'FOUR',
        'FIVE',
        'SIX',
        'SEVEN',
        'EIGHT',
        'NINE',
      ].indexOf(d[1]),
    );
  return undefined;
}

/**
 * Decodes a Jinja2 string literal body as Jinja2 does (Python's
 * `unicode-escape`). Reports escapes that spell identifier characters,
 * which no honest template needs, and `\N{...}` names it cannot resolve.
 */
export function decodePythonEscapes(raw: string, notes: Set<string>): string {
  return raw.replace(
    /\\(\n|\\|'|"|a|b|f|n|r|t|v|[0-7]{1,3}|x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|N\{[^}]*\})/g,
    (all, e: string) => {
      let out: string;
      if (e === '\n') return '';
      const simple: Record<string, string> = {
        '\\': '\\',
        "'": "'",
        '"': '"',
        a: '\x07',
        b: '\b',
        f: '\f',
        n: '\n',
        r: '\r',
        t: '\t',
        v: '\v',
      };
      if (simple[e] !== undefined) return simple[e];
      if (/^[0-7]/.test(e)) out = String.fromCharCode(parseInt(e, 8));
      else if (e[0] === 'x' || e[0] === 'u' || e[0] === 'U') {
        const cp = parseInt(e.slice(1), 16);
        if (cp > 0x10ffff) {
          notes.add(`invalid escape ${all}`);
          return '\ufffd';
        }
        out = String.fromCodePoint(cp);
      } else {
        const named = unicodeName(e.slice(2, -1));
        if (named === undefined) {
          notes.add(`unresolved escape ${all}`);
          return '\ufffd';
        }
        out = named;
      }
      if (/^[A-Za-z0-9_.]$/.test(out))
        notes.add(`escape ${all} spells "${out}"`);
      return out;
    },
  );
}

/**
 * Rewrites the string literals inside `{{ }}` and `{% %}` to their decoded
 * values with only the escapes the parser knows, so that what is analysed
 * is what Jinja2 would see.
 */
function normalizeLiterals(src: string, notes: Set<string>): string {
  let out = '';
  let i = 0;
  while (i < src.length) {
    const open = src.slice(i).search(/\{[{%#]/);
    if (open < 0) {
      out += src.slice(i);
      break;
    }
    out += src.slice(i, i + open);
    i += open;
    const kind = src[i + 1];
    if (kind === '#') {
      const end = src.indexOf('#}', i + 2);
      const stop = end < 0 ? src.length : end + 2;
      out += src.slice(i, stop);
      i = stop;
      continue;
    }
    const close = kind === '{' ? '}}' : '%}';
    if (kind === '%' && /^\{%[-+]?\s*raw\s*[-+]?%\}/.test(src.slice(i))) {
      const m = /\{%[-+]?\s*endraw\s*[-+]?%\}/.exec(src.slice(i));
      const stop = m ? i + m.index + m[0].length : src.length;
      out += src.slice(i, stop);
      i = stop;
      continue;
    }
    out += src.slice(i, i + 2);
    i += 2;
    while (i < src.length && !src.startsWith(close, i)) {
      const c = src[i];
      if (c === "'" || c === '"') {
        let j = i + 1;
        while (j < src.length && src[j] !== c) j += src[j] === '\\' ? 2 : 1;
        const decoded = decodePythonEscapes(src.slice(i + 1, j), notes);
        out += `'${decoded
          .replace(/\\/g, '\\\\')
          .replace(/'/g, "\\'")
          .replace(/\n/g, '\\n')
          .replace(/\r/g, '\\r')
          .replace(/\t/g, '\\t')}'`;
        i = j + 1;
      } else {
        out += c;
        i++;
      }
    }
    out += src.slice(i, i + 2);
    i += 2;
  }
  return out;
}

const DUNDER = /__[A-Za-z][A-Za-z0-9_]*__/;
/** Jinja2's sandbox refuses attributes starting with `_`; so do we. */
const isPrivateName = (s: string) => s.startsWith('_') || DUNDER.test(s);
const MAX_CANDIDATES = 64;
const MAX_STRING = 4096;

/** Filters that look attributes up by a name given as an argument. */
const ATTRIBUTE_FILTERS = new Set([
  'attr',
  'map',
  'selectattr',
  'rejectattr',
  'sort',
  'groupby',
  'sum',
  'unique',
  'min',
  'max',
  'dictsort',
]);

const STRING_FILTERS = new Set([
  'join',
  'replace',
  'format',
  'lower',
  'upper',
  'trim',
  'string',
  'reverse',
  'title',
  'capitalize',
  'first',
  'last',
  'list',
]);

/** Python `%` formatting, enough for `%s`, `%r`, `%d` and `%%`. */
function percentFormat(fmt: string, args: Val[]): string | undefined {
  let k = 0;
  let failed = false;
  const out = fmt.replace(/%([%sdri])/g, (_, c: string) => {
    if (c === '%') return '%';
    const a = args[k++];
    if (a === undefined) failed = true;
    return String(a);
  });
  return failed ? undefined : out;
}

/** `str.format`, enough for `{}`, `{0}` and repeated indexes. */
function braceFormat(fmt: string, args: Val[]): string | undefined {
  let k = 0;
  let failed = false;
  const out = fmt.replace(/\{(\d*)\}/g, (_, n: string) => {
    const a = args[n === '' ? k++ : Number(n)];
    if (a === undefined) failed = true;
    return String(a);
  });
  return failed ? undefined : out;
}

function applyString(name: string, v: Val, args: Val[]): Val {
  if (name === 'join') {
    if (!Array.isArray(v) || v.some(x => x === undefined)) return undefined;
    const sep = args[0] === undefined ? '' : String(args[0]);
    return v.map(String).join(sep);
  }
  if (name === 'list') return typeof v === 'string' ? v.split('') : v;
  if (name === 'first' || name === 'last') {
    if (typeof v === 'string' || Array.isArray(v)) {
      const a = typeof v === 'string' ? v.split('') : v;
      return name === 'first' ? a[0] : a[a.length - 1];
    }
    return undefined;
  }
  if (name === 'reverse') {
    if (typeof v === 'string') return v.split('').reverse().join('');
    return Array.isArray(v) ? [...v].reverse() : undefined;
  }
  if (typeof v !== 'string') return undefined;
  switch (name) {
    case 'replace':
      if (typeof args[0] !== 'string' || typeof args[1] !== 'string')
        return undefined;
      return v.split(args[0]).join(args[1]);
    case 'format':
      return v.includes('%') ? percentFormat(v, args) : braceFormat(v, args);
    case 'lower':
      return v.toLowerCase();
    case 'upper':
      return v.toUpperCase();
    case 'trim':
    case 'strip':
      return v.trim();
    case 'title':
    case 'capitalize':
    case 'string':
      return v;
    default:
      return undefined;
  }
}

/** Analyses a chat template; never throws. */
export function analyzeChatTemplate(template: string): TemplateAnalysis {
  const findings: TemplateFinding[] = [];
  const seen = new Set<string>();
  const add = (f: TemplateFinding) => {
    const key = `${f.rule}:${f.message}`;
    if (!seen.has(key) && findings.length < 20) {
      seen.add(key);
      findings.push(f);
    }
  };
  const notes = new Set<string>();
  const source = normalizeLiterals(template, notes);
  for (const n of notes) {
    add({
      severity: 'high',
      rule: 'gguf/chat-template-obfuscated',
      message: `string literal uses an ${n}; honest templates do not hide identifier characters`,
    });
  }
  let program: Node;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const jinja =
      require('@huggingface/jinja') as typeof import('@huggingface/jinja');
    program = jinja.parse(jinja.tokenize(source)) as unknown as Node;
  } catch (e) {
    return {
      findings,
      parseError: (e as Error)?.message ?? String(e),
    };
  }

  // Variables assigned by {% set %} or looped over literal lists.
  const env = new Map<string, Val[]>();
  const built = new Set<string>();

  const product = (lists: Val[][], f: (xs: Val[]) => Val): Val[] => {
    let acc: Val[][] = [[]];
    for (const l of lists) {
      const next: Val[][] = [];
      for (const a of acc)
        for (const x of l)
          if (next.length < MAX_CANDIDATES) next.push([...a, x]);
      acc = next;
    }
    return acc.map(xs => {
      const v = f(xs);
      return typeof v === 'string' && v.length > MAX_STRING ? undefined : v;
    });
  };

  // Values per node; cleared whenever the variable environment changes.
  const memo = new Map<Node, Val[]>();
  // eslint-disable-next-line prefer-const
  let evaluate: (node: Node, depth: number) => Val[];
  const ev = (node: Node | undefined, depth = 0): Val[] => {
    if (!node || depth > 1000) return [undefined];
    const known = memo.get(node);
    if (known) return known;
    const vals = evaluate(node, depth);
    memo.set(node, vals);
    return vals;
  };
  evaluate = (node: Node, depth: number): Val[] => {
    switch (node.type) {
      case 'StringLiteral':
      case 'IntegerLiteral':
      case 'FloatLiteral':
      case 'BooleanLiteral':
        return [node.value];
      case 'ArrayLiteral':
      case 'TupleLiteral':
        return product(
          (node.value as Node[]).map(x => ev(x, depth + 1)),
          xs => xs,
        );
      case 'Identifier':
        return env.get(node.value) ?? [undefined];
      case 'BinaryExpression': {
        const op = node.operator.value as string;
        return product(
          [ev(node.left, depth + 1), ev(node.right, depth + 1)],
          ([l, r]) => {
            if (l === undefined || r === undefined) return undefined;
            if (op === '~') return String(l) + String(r);
            if (op === '+') {
              if (typeof l === 'string' && typeof r === 'string') return l + r;
              if (typeof l === 'number' && typeof r === 'number') return l + r;
              if (Array.isArray(l) && Array.isArray(r)) return [...l, ...r];
              return undefined;
            }
            if (op === '*') {
              if (typeof l === 'string' && typeof r === 'number' && r < 512)
                return l.repeat(Math.max(0, r));
              if (typeof r === 'string' && typeof l === 'number' && l < 512)
                return r.repeat(Math.max(0, l));
              if (typeof l === 'number' && typeof r === 'number') return l * r;
              return undefined;
            }
            if (op === '%' && typeof l === 'string')
              return percentFormat(l, Array.isArray(r) ? r : [r]);
            return undefined;
          },
        );
      }
      case 'FilterExpression': {
        const f = node.filter as Node;
        const name: string =
          f.type === 'Identifier' ? f.value : f.callee?.value ?? '';
        const args: Node[] = f.type === 'CallExpression' ? f.args : [];
        if (!STRING_FILTERS.has(name)) return [undefined];
        return product(
          [ev(node.operand, depth + 1), ...args.map(a => ev(a, depth + 1))],
          ([v, ...as]) => applyString(name, v, as),
        );
      }
      case 'CallExpression': {
        const callee = node.callee as Node;
        if (callee.type !== 'MemberExpression' || callee.computed)
          return [undefined];
        const method: string = callee.property.value;
        const args: Node[] = node.args;
        return product(
          [ev(callee.object, depth + 1), ...args.map(a => ev(a, depth + 1))],
          ([obj, ...as]) => {
            if (method === 'join' && typeof obj === 'string')
              return applyString('join', as[0], [obj]);
            if (method === 'format' && typeof obj === 'string')
              return braceFormat(obj, as);
            if (method === 'strip') return applyString('trim', obj, as);
            return applyString(method, obj, as);
          },
        );
      }
      case 'Ternary':
        return [
          ...ev(node.trueExpr, depth + 1),
          ...ev(node.falseExpr, depth + 1),
        ];
      default:
        return [undefined];
    }
  };

  /** Whether an expression assembles a string at run time. */
  const builds = (node: Node | undefined, depth = 0): boolean => {
    if (!node || depth > 50) return false;
    switch (node.type) {
      case 'BinaryExpression':
        return ['+', '~', '*', '%'].includes(node.operator.value);
      case 'FilterExpression': {
        const f = node.filter as Node;
        const name = f.type === 'Identifier' ? f.value : f.callee?.value;
        return STRING_FILTERS.has(name) || builds(node.operand, depth + 1);
      }
      case 'CallExpression':
        return true;
      case 'Identifier':
        return built.has(node.value);
      case 'Ternary':
        return (
          builds(node.trueExpr, depth + 1) || builds(node.falseExpr, depth + 1)
        );
      default:
        return false;
    }
  };

  const children = (node: Node): Node[] => {
    const out: Node[] = [];
    for (const [k, v] of Object.entries(node)) {
      if (k === 'operator') continue;
      if (Array.isArray(v)) {
        for (const x of v)
          if (x && typeof x === 'object' && 'type' in x) out.push(x);
      } else if (v instanceof Map) {
        for (const [a, b] of v) out.push(a, b);
      } else if (v && typeof v === 'object' && typeof v.type === 'string') {
        out.push(v);
      }
    }
    return out;
  };

  const walk = (root: Node, visit: (n: Node) => void) => {
    const stack = [root];
    let count = 0;
    while (stack.length && count++ < 200_000) {
      const n = stack.pop()!;
      visit(n);
      stack.push(...children(n));
    }
  };

  // Collect variables (a few rounds, so chains of sets resolve).
  for (let round = 0; round < 4; round++) {
    memo.clear();
    walk(program, n => {
      if (n.type === 'Set' && n.assignee?.type === 'Identifier' && n.value) {
        const name = n.assignee.value as string;
        const vals = ev(n.value);
        const prev = env.get(name) ?? [];
        const merged = [...prev];
        for (const v of vals)
          if (merged.length < MAX_CANDIDATES && !merged.includes(v))
            merged.push(v);
        env.set(name, merged);
        if (builds(n.value)) built.add(name);
      }
      if (n.type === 'For' && n.loopvar?.type === 'Identifier') {
        const lists = ev(n.iterable);
        const items: Val[] = [];
        for (const l of lists) {
          if (Array.isArray(l)) items.push(...l);
          else if (typeof l === 'string') items.push(...l.split(''));
          else items.push(undefined);
        }
        if (items.some(x => typeof x === 'string'))
          env.set(n.loopvar.value, items.slice(0, MAX_CANDIDATES));
      }
    });
  }

  memo.clear();
  const checkKey = (keyNode: Node, what: string) => {
    const vals = ev(keyNode);
    for (const v of vals) {
      if (typeof v === 'string' && isPrivateName(v)) {
        add({
          severity: 'critical',
          rule: 'gguf/chat-template-dunder',
          message: `${what} ${JSON.stringify(v)}${
            keyNode.type === 'StringLiteral' ? '' : ' (built at run time)'
          }: a step of template injection`,
        });
      }
    }
    if (vals.includes(undefined) && builds(keyNode)) {
      add({
        severity: 'high',
        rule: 'gguf/chat-template-dynamic-access',
        message: `${what} uses a name assembled at run time that cannot be resolved statically`,
      });
    }
  };

  walk(program, n => {
    if (n.type === 'MemberExpression') {
      if (!n.computed && n.property?.type === 'Identifier') {
        if (isPrivateName(n.property.value))
          add({
            severity: 'critical',
            rule: 'gguf/chat-template-dunder',
            message: `attribute access .${n.property.value}: a step of template injection`,
          });
      } else if (n.computed) checkKey(n.property, 'subscript');
    }
    if (n.type === 'FilterExpression') {
      const f = n.filter as Node;
      const name = f.type === 'Identifier' ? f.value : f.callee?.value;
      if (ATTRIBUTE_FILTERS.has(name) && f.type === 'CallExpression') {
        for (const arg of (f.args ?? []) as Node[]) {
          const v = arg.type === 'KeywordArgumentExpression' ? arg.value : arg;
          checkKey(v, `|${name} filter on`);
        }
        const first = f.args?.[0] as Node | undefined;
        if (name === 'attr' && first && ev(first).includes(undefined))
          add({
            severity: 'high',
            rule: 'gguf/chat-template-dynamic-access',
            message: '|attr filter with a name that is not a literal',
          });
      }
    }
    // A dunder assembled anywhere (e.g. passed on to a macro) counts too.
    if (
      n.type === 'BinaryExpression' ||
      n.type === 'FilterExpression' ||
      n.type === 'CallExpression'
    ) {
      for (const v of ev(n)) {
        if (typeof v === 'string' && DUNDER.test(v)) {
          add({
            severity: 'critical',
            rule: 'gguf/chat-template-dunder',
            message: `the template assembles the name ${JSON.stringify(
              v.match(DUNDER)![0],
            )} at run time`,
          });
        }
      }
    }
  });
  return { findings };
}
