export { EntityModelUsageCard } from './EntityModelUsageCard';
export { EntityModelReuseBadge, reuseLabel } from './EntityModelReuseBadge';
