export { EntityTeamStewardshipCard } from './EntityTeamStewardshipCard';
