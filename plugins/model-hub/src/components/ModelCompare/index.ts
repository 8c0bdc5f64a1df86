export { EntityModelCompareContent } from './EntityModelCompareContent';
