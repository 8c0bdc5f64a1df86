import { ConfigReader } from '@backstage/config';
import { readStewardshipEngineConfig } from './config';

describe('readStewardshipEngineConfig', () => {
  it('defaults to every 10 minutes with a short initial delay, notifications and digests on', () => {
    const config = readStewardshipEngineConfig(new ConfigReader({}));
    expect(config.enabled).toBe(true);
    expect(config.schedule).toEqual({
      frequency: { minutes: 10 },
      timeout: { minutes: 5 },
      initialDelay: { seconds: 30 },
    });
    expect(config.notifications).toEqual({
      enabled: true,
      groupAbove: 3,
      digest: {
        enabled: true,
        hourUtc: 8,
        onlyWithNewTasks: false,
        maxListedTasks: 20,
      },
    });
    expect(config.rules.governanceGroup).toBe('group:default/ai-governance');
    expect(config.rules.staleAfterMonths).toBe(18);
  });

  it('reads every key', () => {
    const config = readStewardshipEngineConfig(
      new ConfigReader({
        modelHub: {
          stewardship: {
            enabled: false,
            governanceGroup: 'group:default/model-risk',
            staleAfterMonths: 12,
            schedule: { frequency: 'PT1H', initialDelay: { minutes: 2 } },
            notifications: {
              enabled: false,
              groupAbove: 10,
              digest: {
                enabled: false,
                hourUtc: 6,
                onlyWithNewTasks: true,
                maxListedTasks: 5,
              },
            },
          },
        },
      }),
    );
    expect(config.enabled).toBe(false);
    expect(config.rules).toMatchObject({
      governanceGroup: 'group:default/model-risk',
      staleAfterMonths: 12,
    });
    expect(config.schedule).toEqual({
      frequency: { hours: 1 },
      timeout: { minutes: 5 },
      initialDelay: { minutes: 2 },
    });
    expect(config.notifications).toEqual({
      enabled: false,
      groupAbove: 10,
      digest: {
        enabled: false,
        hourUtc: 6,
        onlyWithNewTasks: true,
        maxListedTasks: 5,
      },
    });
  });

  it('names the bad key', () => {
    expect(() =>
      readStewardshipEngineConfig(
        new ConfigReader({
          modelHub: {
            stewardship: { notifications: { digest: { hourUtc: 24 } } },
          },
        }),
      ),
    ).toThrow(
      'Invalid modelHub.stewardship.notifications.digest.hourUtc: expected an integer from 0 to 23, got 24',
    );
    expect(() =>
      readStewardshipEngineConfig(
        new ConfigReader({
          modelHub: { stewardship: { schedule: { frequency: 'often' } } },
        }),
      ),
    ).toThrow(/Invalid modelHub.stewardship.schedule/);
  });
});
