export interface Config {
  /** Model Hub settings. */
  modelHub?: {
    /** How the catalog module reads the Model Hub. */
    catalog?: {
      /** How long (seconds) the earned tiers read from the hub are reused. Default 30. */
      tierRefreshSeconds?: number;
      /** Seconds between two reads of the models registered through the hub (the entity provider's schedule). Default 5. */
      registeredModelsRefreshSeconds?: number;
    };
  };
}
