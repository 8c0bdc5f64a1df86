export {
  EXAMPLE_ARTIFACTS_DIR,
  EXAMPLE_MODEL_REF,
  exampleDataset,
  exampleModel,
} from './exampleModel';
