export { EntityModelStewardshipCard } from './EntityModelStewardshipCard';
