export { EntityModelChartsContent } from './EntityModelChartsContent';
