export {
  EntityModelDeprecationBanner,
  successorRef,
} from './EntityModelDeprecationBanner';
