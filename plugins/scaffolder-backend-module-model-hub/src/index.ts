/**
 * Scaffolder actions of the Model Hub: publishing through templates.
 *
 * @packageDocumentation
 */
export {};
