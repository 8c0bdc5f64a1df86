export { EntityModelCard, ModelCardContent } from './EntityModelCard';
