export interface Config {
  /** Model Hub settings. */
  modelHub?: {
    /** How the catalog module reads the Model Hub. */
    catalog?: {
      /** How long (seconds) the earned tiers read from the hub are reused. Default 30. */
      tierRefreshSeconds?: number;
      /** How long (seconds) one snapshot of all deprecations (one request) serves every model processed; the hub re-asks the catalog to process a changed model meanwhile. Default 5. */
      deprecationRefreshSeconds?: number;
      /** Seconds between two reads of the models registered through the hub (the entity provider's schedule). Default 5. */
      registeredModelsRefreshSeconds?: number;
    };
  };
}
