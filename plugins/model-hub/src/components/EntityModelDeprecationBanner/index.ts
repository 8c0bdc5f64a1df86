export { EntityModelDeprecationBanner } from './EntityModelDeprecationBanner';
