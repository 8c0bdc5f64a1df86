export { scanFile, scanPaths, SCANNER_INFO } from './scanFile';
export type { ScanFileOptions, ScanPathsOptions } from './scanFile';
export { verdictOf, worstVerdict } from './report';
export { classifyGlobal, isAllowedGlobal } from './pickle/globals';
export type { GlobalClassification } from './pickle/globals';
