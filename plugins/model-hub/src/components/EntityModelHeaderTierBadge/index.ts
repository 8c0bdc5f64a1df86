export { EntityModelHeaderTierBadge } from './EntityModelHeaderTierBadge';
