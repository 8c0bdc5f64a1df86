export { EntityModelGauntletCard } from './EntityModelGauntletCard';
