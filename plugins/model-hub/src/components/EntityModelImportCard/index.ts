export { EntityModelImportCard } from './EntityModelImportCard';
