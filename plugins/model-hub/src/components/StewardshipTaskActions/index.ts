export {
  StewardshipTaskActions,
  deprecationTemplateUrl,
} from './StewardshipTaskActions';
