export { EntityModelUpstreamDriftBanner } from './EntityModelUpstreamDriftBanner';
