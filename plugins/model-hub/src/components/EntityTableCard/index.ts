export { EntityTableCard } from './EntityTableCard';
export type {
  EntityTableCardProps,
  EntityTableColumn,
} from './EntityTableCard';
