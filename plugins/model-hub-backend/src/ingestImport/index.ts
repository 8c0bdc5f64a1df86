export { setupImports } from './setup';
export { importPolicyDecision } from './permissions';
export { AUTO_IMPORT_ACTOR, AUTO_IMPORT_TASK_ID } from './autoImport';
