export { AccessTokensPage } from './AccessTokensPage';
