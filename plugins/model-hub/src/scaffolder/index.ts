export * from './extensions';
export * from './ModelHubLicensePicker';
export * from './ModelHubSimilarModels';
export * from './ModelHubStewardPicker';
