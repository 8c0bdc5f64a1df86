/**
 * A syntax-level parser for SPDX license expressions (SPDX 2.3, Annex D):
 * license identifiers (optionally with `+`), `LicenseRef-…` and
 * `DocumentRef-…:LicenseRef-…` references, `AND`, `OR`, `WITH` and
 * parentheses. It checks the shape only; whether an identifier is on the SPDX
 * list, and whether a license is acceptable, is policy evaluated elsewhere.
 */

/** A node of a parsed SPDX license expression. */
export type SpdxExpression =
  | {
      type: 'license';
      /** The license id, e.g. `Apache-2.0`, `LicenseRef-llama-3-community`. */
      license: string;
      /** `true` for the `+` ("or later") suffix. */
      orLater: boolean;
      /** The exception after `WITH`, e.g. `Classpath-exception-2.0`. */
      exception?: string;
      /** For `DocumentRef-x:LicenseRef-y`, the `DocumentRef-x` part. */
      documentRef?: string;
    }
  | { type: 'and' | 'or'; operands: SpdxExpression[] };

type Token =
  | { kind: 'id'; value: string; pos: number }
  | { kind: 'op'; value: 'AND' | 'OR' | 'WITH'; pos: number }
  | { kind: '(' | ')' | '+'; pos: number };

const ID_CHARS = /[A-Za-z0-9.\-:]/;
const IDSTRING = /^[A-Za-z0-9.-]+$/;

/** Error thrown by {@link parseSpdxExpression}; the message says what is wrong and where. */
export class SpdxSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SpdxSyntaxError';
  }
}

function tokenize(expression: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < expression.length) {
    const c = expression[i];
    if (c === ' ' || c === '\t' || c === '\n') {
      i++;
    } else if (c === '(' || c === ')' || c === '+') {
      tokens.push({ kind: c, pos: i });
      i++;
    } else if (ID_CHARS.test(c)) {
      const start = i;
      while (i < expression.length && ID_CHARS.test(expression[i])) i++;
      const word = expression.slice(start, i);
      if (word === 'AND' || word === 'OR' || word === 'WITH') {
        tokens.push({ kind: 'op', value: word, pos: start });
      } else if (/^(and|or|with)$/i.test(word)) {
        throw new SpdxSyntaxError(
          `operator "${word}" at position ${start} must be upper case (${word.toUpperCase()})`,
        );
      } else {
        tokens.push({ kind: 'id', value: word, pos: start });
      }
    } else {
      throw new SpdxSyntaxError(`unexpected character "${c}" at position ${i}`);
    }
  }
  return tokens;
}

function checkLicenseId(token: { value: string; pos: number }): {
  license: string;
  documentRef?: string;
} {
  const { value, pos } = token;
  if (value.startsWith('DocumentRef-')) {
    const m = /^(DocumentRef-[A-Za-z0-9.-]+):(LicenseRef-[A-Za-z0-9.-]+)$/.exec(
      value,
    );
    if (!m) {
      throw new SpdxSyntaxError(
        `"${value}" at position ${pos} must have the form DocumentRef-<id>:LicenseRef-<id>`,
      );
    }
    return { documentRef: m[1], license: m[2] };
  }
  if (value.includes(':')) {
    throw new SpdxSyntaxError(
      `"${value}" at position ${pos} is not a license id (":" is only allowed in DocumentRef-<id>:LicenseRef-<id>)`,
    );
  }
  if (
    value.startsWith('LicenseRef-') &&
    value.length === 'LicenseRef-'.length
  ) {
    throw new SpdxSyntaxError(
      `"${value}" at position ${pos} needs an id after "LicenseRef-"`,
    );
  }
  if (!IDSTRING.test(value)) {
    throw new SpdxSyntaxError(
      `"${value}" at position ${pos} is not a license id`,
    );
  }
  return { license: value };
}

/**
 * Parses an SPDX license expression into a tree, or throws
 * {@link SpdxSyntaxError} naming the problem and its position.
 */
export function parseSpdxExpression(expression: string): SpdxExpression {
  if (typeof expression !== 'string' || expression.trim() === '') {
    throw new SpdxSyntaxError('license expression is empty');
  }
  const tokens = tokenize(expression);
  let index = 0;
  const peek = () => tokens[index];
  const describe = (t: Token | undefined) => {
    if (!t) return 'end of expression';
    const text = t.kind === 'id' || t.kind === 'op' ? t.value : t.kind;
    return `"${text}" at position ${t.pos}`;
  };

  function parseOr(): SpdxExpression {
    const operands = [parseAnd()];
    while (
      peek()?.kind === 'op' &&
      (peek() as { value: string }).value === 'OR'
    ) {
      index++;
      operands.push(parseAnd());
    }
    return operands.length === 1 ? operands[0] : { type: 'or', operands };
  }

  function parseAnd(): SpdxExpression {
    const operands = [parseWith()];
    while (
      peek()?.kind === 'op' &&
      (peek() as { value: string }).value === 'AND'
    ) {
      index++;
      operands.push(parseWith());
    }
    return operands.length === 1 ? operands[0] : { type: 'and', operands };
  }

  function parseWith(): SpdxExpression {
    const t = peek();
    if (t?.kind === '(') {
      index++;
      const inner = parseOr();
      const close = peek();
      if (close?.kind !== ')') {
        throw new SpdxSyntaxError(
          `expected ")" to close "(" at position ${t.pos}, found ${describe(
            close,
          )}`,
        );
      }
      index++;
      return inner;
    }
    if (t?.kind !== 'id') {
      throw new SpdxSyntaxError(`expected a license id, found ${describe(t)}`);
    }
    index++;
    const { license, documentRef } = checkLicenseId(t);
    let orLater = false;
    if (peek()?.kind === '+') {
      if (license.startsWith('LicenseRef-')) {
        throw new SpdxSyntaxError(
          `"+" at position ${peek()!.pos} cannot follow a LicenseRef`,
        );
      }
      orLater = true;
      index++;
    }
    const node: SpdxExpression = { type: 'license', license, orLater };
    if (documentRef) node.documentRef = documentRef;
    const next = peek();
    if (next?.kind === 'op' && next.value === 'WITH') {
      index++;
      const exception = peek();
      if (exception?.kind !== 'id' || !IDSTRING.test(exception.value)) {
        throw new SpdxSyntaxError(
          `expected an exception id after "WITH" at position ${
            next.pos
          }, found ${describe(exception)}`,
        );
      }
      index++;
      node.exception = exception.value;
    }
    return node;
  }

  const result = parseOr();
  if (index < tokens.length) {
    throw new SpdxSyntaxError(`unexpected ${describe(tokens[index])}`);
  }
  return result;
}

/**
 * Returns why `expression` is not a syntactically valid SPDX license
 * expression, or `undefined` when it is.
 */
export function checkSpdxExpression(expression: string): string | undefined {
  try {
    parseSpdxExpression(expression);
    return undefined;
  } catch (e) {
    if (e instanceof SpdxSyntaxError) return e.message;
    throw e;
  }
}

/** Lists every license id (without exceptions) used in a parsed expression. */
export function listSpdxLicenses(expression: SpdxExpression): string[] {
  if (expression.type === 'license') return [expression.license];
  return expression.operands.flatMap(listSpdxLicenses);
}
