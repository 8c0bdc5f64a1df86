export { AccessTokensCard } from './AccessTokensCard';
