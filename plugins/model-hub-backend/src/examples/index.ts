export { ExampleSeeder, EXAMPLE_PUBLISHER } from './ExampleSeeder';
export type { ExampleVersion, ExampleGovernance } from './ExampleSeeder';
