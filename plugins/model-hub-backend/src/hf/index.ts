export { createHfRouter, HF_BASE_PATH } from './router';
export type { HfRouterOptions } from './router';
export { readHfConfig } from './config';
export type { HfConfig } from './config';
export {
  hfDownloadRecorderServiceRef,
  noopDownloadRecorder,
} from './downloads';
export type { HfDownloadEvent, HfDownloadRecorder } from './downloads';
