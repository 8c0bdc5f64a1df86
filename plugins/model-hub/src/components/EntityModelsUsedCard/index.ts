export { EntityModelsUsedCard } from './EntityModelsUsedCard';
