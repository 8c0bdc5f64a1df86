export { EntityUseModelCard, curlCommand } from './EntityUseModelCard';
export { cliSnippet, javascriptSnippet, pythonSnippet } from './snippets';
export type { SnippetTarget } from './snippets';
