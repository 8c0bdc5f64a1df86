export { EntityModelConsumersCard } from './EntityModelConsumersCard';
