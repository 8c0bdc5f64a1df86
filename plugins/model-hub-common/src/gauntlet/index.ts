export * from './tierGates';
