import { LoggerService } from '@backstage/backend-plugin-api';
import { GauntletStore } from './GauntletStore';

/** A running heartbeat; `lost` turns true once the store refused a renewal. */
export interface LeaseHeartbeat {
  readonly lost: boolean;
  stop(): void;
}

/**
 * Renews a claimed run's lease every third of `leaseMs` while it executes,
 * so only a runner that died (or was stopped) lets the lease expire.
 */
export function startLeaseHeartbeat(options: {
  store: GauntletStore;
  runId: number;
  claimToken: string;
  leaseMs: number;
  clock: () => Date;
  logger: LoggerService;
}): LeaseHeartbeat {
  const { store, runId, claimToken, leaseMs, clock, logger } = options;
  let lost = false;
  const timer = setInterval(() => {
    store
      .heartbeat(runId, claimToken, clock(), leaseMs)
      .then(renewed => {
        if (!renewed && !lost) {
          lost = true;
          logger.warn(
            `Gauntlet run ${runId}: lease lost (expired and recovered); its results will be dropped`,
          );
        }
      })
      .catch(e => logger.warn(`Gauntlet run ${runId}: heartbeat failed: ${e}`));
  }, Math.max(10, Math.floor(leaseMs / 3)));
  timer.unref?.();
  return {
    get lost() {
      return lost;
    },
    stop: () => clearInterval(timer),
  };
}
