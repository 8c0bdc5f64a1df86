export { EntityModelReadmeCard } from './EntityModelReadmeCard';
export { SafeMarkdown } from './SafeMarkdown';
