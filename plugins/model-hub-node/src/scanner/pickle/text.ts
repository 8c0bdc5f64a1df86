/** Parsing of the text arguments of protocol 0 and 1 opcodes, as Python reads them. */

/** Interprets a protocol-0 `STRING` argument (a quoted Python repr). */
export function unquote(line: string): string | undefined {
  if (line.length < 2) return undefined;
  const q = line[0];
  if ((q !== "'" && q !== '"') || line[line.length - 1] !== q) return undefined;
  return line
    .slice(1, -1)
    .replace(/\\(x[0-9a-fA-F]{2}|[0-7]{1,3}|.)/g, (_, e: string) => {
      if (e[0] === 'x') return String.fromCharCode(parseInt(e.slice(1), 16));
      if (/^[0-7]/.test(e)) return String.fromCharCode(parseInt(e, 8));
      return (
        (
          {
            n: '\n',
            t: '\t',
            r: '\r',
            '\\': '\\',
            "'": "'",
            '"': '"',
          } as Record<string, string>
        )[e] ?? `\\${e}`
      );
    });
}

/** Interprets a protocol-0 `UNICODE` argument (raw-unicode-escape). */
export function rawUnicodeUnescape(line: string): string {
  return line.replace(/\\u([0-9a-fA-F]{4})|\\U([0-9a-fA-F]{8})/g, (_, a, b) =>
    String.fromCodePoint(parseInt(a ?? b, 16)),
  );
}

// What Python's int(x, 0) / int(x) / float(x) accept for the text opcodes.
export const INT_RE =
  /^\s*[+-]?(?:0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|[0-9][0-9_]*)\s*$/;
export const LONG_RE =
  /^\s*[+-]?(?:0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|[0-9][0-9_]*)L?\s*$/;
export const DEC_RE = /^\s*[+-]?[0-9][0-9_]*\s*$/;
export const FLOAT_RE =
  /^\s*[+-]?(?:(?:[0-9][0-9_]*\.?[0-9_]*|\.[0-9][0-9_]*)(?:[eE][+-]?[0-9_]+)?|inf|infinity|nan)\s*$/i;
