/**
 * Read-only federated ingestion for the Model Hub: catalog entity providers
 * that mirror models from MLflow registries and Hugging Face as `kind: Model`.
 *
 * @packageDocumentation
 */
export { catalogModuleModelHubIngestion as default } from './module';
export * from './mlflow/MlflowEntityProvider';
export * from './mlflow/MlflowClient';
export * from './mlflow/mapMlflowModel';
export * from './huggingface/HuggingFaceEntityProvider';
export * from './huggingface/HuggingFaceClient';
export * from './huggingface/mapHuggingFaceModel';
export * from './http/fetchWithRetry';
export * from './delta/DeltaTracker';
export * from './annotations';
export * from './status';
