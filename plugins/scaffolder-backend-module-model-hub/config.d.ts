export interface Config {
  modelHub?: {
    scaffolder?: {
      /**
       * How long `model-hub:register` waits for a newly registered model to
       * appear in the catalog (so the template's link works when clicked), and
       * how long `model-hub:publish-version` waits for a model registered
       * moments ago. Default 60; 0 does not wait.
       */
      catalogWaitSeconds?: number;
    };
  };
}
