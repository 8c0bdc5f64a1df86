export {
  StewardshipTaskActions,
  deprecationTemplateUrl,
  migrationTemplateUrl,
} from './StewardshipTaskActions';
