import { ModelVersion } from '@internal/plugin-model-hub-common';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';

/** Picks one version of a model (newest first, aliases shown). */
export function VersionSelect(props: {
  label: string;
  versions: ModelVersion[];
  value?: string;
  onChange(version: string): void;
}) {
  const { label, versions, value, onChange } = props;
  return (
    <TextField
      select
      label={label}
      value={value ?? ''}
      onChange={e => onChange(e.target.value)}
      variant="outlined"
      size="small"
      style={{ minWidth: 200 }}
      SelectProps={{ SelectDisplayProps: { 'aria-label': label } as object }}
    >
      {versions.map(v => (
        <MenuItem key={v.version} value={v.version}>
          {v.version}
          {v.aliases.length ? ` (${v.aliases.join(', ')})` : ''}
          {v.state === 'draft' ? ' — draft' : ''}
        </MenuItem>
      ))}
    </TextField>
  );
}
