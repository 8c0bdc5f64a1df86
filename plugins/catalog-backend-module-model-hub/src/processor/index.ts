export { ModelEntityProcessor } from './ModelEntityProcessor';
