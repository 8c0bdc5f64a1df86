export { EntityModelFilesContent } from './EntityModelFilesContent';
