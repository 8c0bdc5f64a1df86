import { mockServices } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import {
  followCatalog,
  showsDeprecation,
  showsNoDeprecation,
} from './followCatalog';

const REF = 'model:default/legacy-model';
const AT = '2026-11-27T12:00:00.000Z';

function model(annotations: Record<string, string> = {}): Entity {
  return {
    apiVersion: 'modelhub.io/v1alpha1',
    kind: 'Model',
    metadata: { name: 'legacy-model', annotations },
    spec: {},
  };
}

describe('followCatalog', () => {
  const auth = mockServices.auth();
  const logger = mockServices.logger.mock();

  afterEach(() => jest.clearAllMocks());

  it('runs its reaction once the catalog shows the deprecation, not before', async () => {
    const seen: Array<Entity | undefined> = [
      model(),
      model(),
      model({ 'modelhub.io/deprecated-at': AT }),
    ];
    const catalog = {
      getEntityByRef: jest.fn(async () => seen.shift()),
    };
    const calls: number[] = [];
    const shown = await followCatalog({
      catalog,
      auth,
      logger,
      entityRef: REF,
      shows: showsDeprecation(AT),
      then: async () => {
        calls.push(catalog.getEntityByRef.mock.calls.length);
      },
      intervalMs: 5,
    });
    expect(shown).toBe(true);
    expect(calls).toEqual([3]);
    expect(catalog.getEntityByRef).toHaveBeenCalledWith(REF, {
      credentials: expect.anything(),
    });
    expect(logger.warn).not.toHaveBeenCalled();
  });

  it('gives up after the timeout, says so, and reacts anyway', async () => {
    const catalog = { getEntityByRef: jest.fn(async () => model()) };
    const then = jest.fn(async () => {});
    const shown = await followCatalog({
      catalog,
      auth,
      logger,
      entityRef: REF,
      shows: showsDeprecation(AT),
      then,
      timeoutMs: 30,
      intervalMs: 5,
    });
    expect(shown).toBe(false);
    expect(then).toHaveBeenCalledTimes(1);
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringContaining(
        'did not show the lifecycle change of model:default/legacy-model',
      ),
    );
  });

  it('never throws: a failing catalog or reaction is logged', async () => {
    const catalog = {
      getEntityByRef: jest.fn(async () => {
        throw new Error('catalog down');
      }),
    };
    await expect(
      followCatalog({
        catalog,
        auth,
        logger,
        entityRef: REF,
        shows: showsNoDeprecation,
        then: async () => {
          throw new Error('stewardship down');
        },
      }),
    ).resolves.toBe(false);
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringContaining('catalog down'),
    );
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringContaining('stewardship down'),
    );
  });

  it('tells a withdrawn deprecation from a missing entity', () => {
    expect(showsNoDeprecation(model())).toBe(true);
    expect(showsNoDeprecation(model({ 'modelhub.io/deprecated-at': AT }))).toBe(
      false,
    );
    expect(showsNoDeprecation(undefined)).toBe(false);
    expect(
      showsDeprecation(AT)(model({ 'modelhub.io/deprecated-at': 'x' })),
    ).toBe(false);
  });
});
