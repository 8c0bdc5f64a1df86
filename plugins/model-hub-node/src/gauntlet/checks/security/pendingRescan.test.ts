import { runGauntletCheck } from '../../check';
import { checkContext, checkFile, model, safetensors } from '../testUtils';
import { securityCheck } from './securityCheck';

/*
 * During a rescan window a file's stored verdict can be an older scanner's:
 * the check must not pass on it, at any tier, and must say why in one line.
 */
describe('securityCheck with a verdict awaiting its rescan', () => {
  it.each(['official', 'community', 'external'] as const)(
    'does not pass %s on an older scanner’s safe verdict',
    async tier => {
      const stale = {
        ...(await checkFile('model.safetensors', safetensors([1, 2]))),
        pendingRescan: { scannedBy: '1.0.0', current: '2.0.0' },
      };
      expect(stale.scan.verdict).toBe('safe');
      const result = await runGauntletCheck(
        securityCheck,
        checkContext({ entity: model(), files: [stale], tier }),
      );
      expect(result.status).toBe('error');
      expect(result.summary).toBe(
        'model.safetensors was scanned by scanner 1.0.0; its rescan by scanner 2.0.0 is pending, and no tier is earned on an older verdict',
      );
      expect(result.metrics?.pending_rescan_files).toBe(1);
    },
  );

  it('fails, not errs, when a current verdict fails too', async () => {
    const stale = {
      ...(await checkFile('a.safetensors', safetensors([1]))),
      pendingRescan: { scannedBy: null, current: '2.0.0' },
    };
    const truncated = await checkFile(
      'b.safetensors',
      safetensors([1, 2, 3, 4]).subarray(0, 40),
    );
    const result = await runGauntletCheck(
      securityCheck,
      checkContext({
        entity: model(),
        files: [stale, truncated],
        tier: 'official',
      }),
    );
    expect(result.status).toBe('fail');
    expect(result.reason).toContain(
      'a.safetensors was scanned by a scanner of unknown version; its rescan by scanner 2.0.0 is pending',
    );
  });
});
