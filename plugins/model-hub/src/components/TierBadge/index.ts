export { TierBadge, describeTier } from './TierBadge';
export type {
  TierBadgeProps,
  TierBadgeVariant,
  TierBadgeDescription,
} from './TierBadge';
