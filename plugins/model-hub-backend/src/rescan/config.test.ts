import { ConfigReader } from '@backstage/config';
import { DEFAULT_RESCAN_SCHEDULE, readScannerConfig } from './config';

describe('readScannerConfig', () => {
  it('has defaults', () => {
    expect(readScannerConfig(new ConfigReader({}))).toEqual({
      scanOptions: {},
      rescan: {
        enabled: true,
        batchSize: 50,
        inlineMaxBytes: 256 * 1024 * 1024,
        schedule: DEFAULT_RESCAN_SCHEDULE,
      },
    });
  });

  it('reads trusted globals, batch size and schedule', () => {
    const c = readScannerConfig(
      new ConfigReader({
        modelHub: {
          scanner: {
            trustedGlobals: ['acme_ml.layers.Dense'],
            rescan: {
              batchSize: 10,
              schedule: { frequency: { hours: 1 }, timeout: { hours: 2 } },
            },
          },
        },
      }),
    );
    expect(c.scanOptions).toEqual({ trustedGlobals: ['acme_ml.layers.Dense'] });
    expect(c.rescan.batchSize).toBe(10);
    expect(c.rescan.schedule.frequency).toEqual({ hours: 1 });
  });

  it('rejects bad values naming the key', () => {
    expect(() =>
      readScannerConfig(
        new ConfigReader({ modelHub: { scanner: { trustedGlobals: ['os'] } } }),
      ),
    ).toThrow(
      "modelHub.scanner.trustedGlobals: 'os' is not a dotted module.name",
    );
    expect(() =>
      readScannerConfig(
        new ConfigReader({
          modelHub: { scanner: { rescan: { batchSize: 0 } } },
        }),
      ),
    ).toThrow('modelHub.scanner.rescan.batchSize');
  });
});
