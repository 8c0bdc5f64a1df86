import {
  coreServices,
  createBackendModule,
  SchedulerService,
} from '@backstage/backend-plugin-api';

/** A module that hands the plugin's scheduler to `onScheduler`, to trigger tasks. */
export function captureScheduler(onScheduler: (s: SchedulerService) => void) {
  return createBackendModule({
    pluginId: 'model-hub',
    moduleId: 'test-scheduler',
    register(env) {
      env.registerInit({
        deps: { s: coreServices.scheduler },
        async init({ s }) {
          onScheduler(s);
        },
      });
    },
  });
}
