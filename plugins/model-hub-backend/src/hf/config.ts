import { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import {
  HF_NAMESPACE_MODES,
  HfNamespaceMode,
} from '@internal/plugin-model-hub-common';

/** The Hugging Face endpoints' settings (`modelHub.hf`). */
export interface HfConfig {
  /** How a model's repo namespace is chosen. */
  namespace: HfNamespaceMode;
  /** Serve versions whose security verdict is `unsafe` (default false: 403). */
  allowUnsafe: boolean;
}

/** Reads `modelHub.hf` with its defaults. */
export function readHfConfig(config: Config): HfConfig {
  const hf = config.getOptionalConfig('modelHub.hf');
  const namespace = (hf?.getOptionalString('namespace') ??
    'auto') as HfNamespaceMode;
  if (!HF_NAMESPACE_MODES.includes(namespace)) {
    throw new InputError(
      `modelHub.hf.namespace must be one of ${HF_NAMESPACE_MODES.join(
        ', ',
      )}, got '${namespace}'`,
    );
  }
  return {
    namespace,
    allowUnsafe: hf?.getOptionalBoolean('allowUnsafe') ?? false,
  };
}
