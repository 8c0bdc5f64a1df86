export { EntityModelLineageCard } from './EntityModelLineageCard';
