import { ModelVersion } from '@internal/plugin-model-hub-common';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import { SelectName, selectNameProps } from '../SelectName';

/** Picks one version of a model (newest first, aliases shown). */
export function VersionSelect(props: {
  label: string;
  versions: ModelVersion[];
  value?: string;
  onChange(version: string): void;
}) {
  const { label, versions, value, onChange } = props;
  const id = `version-select-${label
    .toLocaleLowerCase('en-US')
    .replace(/[^a-z0-9]+/g, '-')}`;
  return (
    <>
      <TextField
        select
        label={label}
        value={value ?? ''}
        onChange={e => onChange(e.target.value)}
        variant="outlined"
        size="small"
        style={{ minWidth: 200 }}
        SelectProps={{ SelectDisplayProps: selectNameProps(id) }}
      >
        {versions.map(v => (
          <MenuItem key={v.version} value={v.version}>
            {v.version}
            {v.aliases.length ? ` (${v.aliases.join(', ')})` : ''}
            {v.state === 'draft' ? ' — draft' : ''}
          </MenuItem>
        ))}
      </TextField>
      <SelectName id={id}>{label}</SelectName>
    </>
  );
}
