import { useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { identityApiRef, useApi } from '@backstage/core-plugin-api';
import Button from '@material-ui/core/Button';
import Typography from '@material-ui/core/Typography';
import { GauntletPromotionRequest, modelHubApiRef } from '../../api';

/**
 * "Withdraw" for a pending promotion request, shown only to the person who
 * asked (the hub refuses anyone else, and governance rejects instead).
 * Calls the hub as the signed-in person; `onDone` reloads the card, a
 * refusal is shown in one line.
 */
export function WithdrawPromotionButton(props: {
  request: GauntletPromotionRequest;
  onDone: () => void;
}) {
  const { request, onDone } = props;
  const identityApi = useApi(identityApiRef);
  const api = useApi(modelHubApiRef);
  const { value: me } = useAsync(
    async () => (await identityApi.getBackstageIdentity()).userEntityRef,
    [identityApi],
  );
  const [busy, setBusy] = useState(false);
  const [refusal, setRefusal] = useState<string | undefined>();
  const lower = (s: string) => s.toLocaleLowerCase('en-US');
  if (
    request.state !== 'pending' ||
    !me ||
    lower(me) !== lower(request.requestedBy)
  ) {
    return null;
  }
  const withdraw = async () => {
    setBusy(true);
    setRefusal(undefined);
    try {
      await api.withdrawPromotion(request.entityRef, request.id);
      onDone();
    } catch (error) {
      setRefusal((error as Error).message.split('\n')[0]);
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <Button
        size="small"
        disabled={busy}
        onClick={withdraw}
        aria-label={`Withdraw the request for the ${request.tier} tier`}
      >
        Withdraw
      </Button>
      {refusal && (
        <Typography variant="caption" color="error" role="alert">
          {refusal}
        </Typography>
      )}
    </>
  );
}
