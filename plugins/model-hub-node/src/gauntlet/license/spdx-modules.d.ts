// Type declarations for the untyped SPDX helper packages used by the license rules.

declare module 'spdx-expression-parse' {
  /** A parsed SPDX expression node (spdx-expression-parse 4 output). */
  export type SpdxNode =
    | { license: string; plus?: true; exception?: string }
    | { left: SpdxNode; conjunction: 'and' | 'or'; right: SpdxNode };
  /** Parses an SPDX expression; throws on syntax errors and unknown license ids. */
  function parse(expression: string): SpdxNode;
  export default parse;
}

declare module 'spdx-satisfies' {
  /** Whether the expression is satisfied by the approved (non-compound) licenses. */
  function satisfies(expression: string, approved: string[]): boolean;
  export default satisfies;
}
