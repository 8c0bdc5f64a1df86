export {
  EntityUseModelCard,
  pullCommand,
  curlCommand,
} from './EntityUseModelCard';
