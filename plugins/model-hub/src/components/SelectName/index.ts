export { SelectName, selectNameProps } from './SelectName';
