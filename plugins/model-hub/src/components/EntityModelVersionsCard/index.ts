export {
  EntityModelVersionsCard,
  ScanVerdictChip,
} from './EntityModelVersionsCard';
