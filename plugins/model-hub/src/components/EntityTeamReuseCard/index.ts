export { EntityTeamReuseCard } from './EntityTeamReuseCard';
