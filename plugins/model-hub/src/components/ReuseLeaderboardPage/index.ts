export { ReuseLeaderboardPage } from './ReuseLeaderboardPage';
