export { IngestionSourcesCard } from './IngestionSourcesCard';
