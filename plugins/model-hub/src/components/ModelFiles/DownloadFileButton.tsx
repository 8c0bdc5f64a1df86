import { useState } from 'react';
import { useApi } from '@backstage/core-plugin-api';
import IconButton from '@material-ui/core/IconButton';
import Tooltip from '@material-ui/core/Tooltip';
import GetAppIcon from '@material-ui/icons/GetApp';
import { modelHubApiRef } from '../../api';
import { formatBytes } from '../../lib/format';

/** Largest file the browser downloads itself; larger ones are pulled with the CLI. */
export const MAX_BROWSER_DOWNLOAD_BYTES = 512 * 1024 * 1024;

/**
 * Downloads one file of a version with the viewer's credentials (the hub
 * API needs a token, which a plain link would not send).
 */
export function DownloadFileButton(props: {
  entityRef: string;
  version: string;
  path: string;
  size: number;
}) {
  const api = useApi(modelHubApiRef);
  const { entityRef, version, path, size } = props;
  const [state, setState] = useState<'idle' | 'busy' | 'failed'>('idle');
  const tooLarge = size > MAX_BROWSER_DOWNLOAD_BYTES;
  const download = async () => {
    setState('busy');
    try {
      const { blob } = await api.readFile(entityRef, version, path, {
        maxBytes: Math.max(size, 1),
      });
      const url = URL.createObjectURL(
        new Blob([blob], { type: 'application/octet-stream' }),
      );
      const a = document.createElement('a');
      a.href = url;
      a.download = path.split('/').pop() ?? 'file';
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
      setState('idle');
    } catch {
      setState('failed');
    }
  };
  let title = `Download ${path}`;
  if (tooLarge) {
    title = `${path} is ${formatBytes(size)}: pull it with the model-hub CLI`;
  } else if (state === 'failed') {
    title = `Download of ${path} failed; try again`;
  }
  return (
    <Tooltip title={title}>
      <span>
        <IconButton
          size="small"
          aria-label={`Download ${path}`}
          disabled={tooLarge || state === 'busy'}
          onClick={download}
          color={state === 'failed' ? 'secondary' : 'default'}
        >
          <GetAppIcon fontSize="small" />
        </IconButton>
      </span>
    </Tooltip>
  );
}
