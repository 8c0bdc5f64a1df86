import { ReactNode, useState } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { stringifyEntityRef } from '@backstage/catalog-model';
import {
  CopyTextButton,
  EmptyState,
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import {
  ModelVersion,
  ModelVersionFile,
  ScanVerdict,
} from '@internal/plugin-model-hub-common';
import Box from '@material-ui/core/Box';
import Chip from '@material-ui/core/Chip';
import Collapse from '@material-ui/core/Collapse';
import IconButton from '@material-ui/core/IconButton';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import KeyboardArrowDownIcon from '@material-ui/icons/KeyboardArrowDown';
import KeyboardArrowUpIcon from '@material-ui/icons/KeyboardArrowUp';
import { modelHubApiRef } from '../../api';
import { formatBytes, shortSha } from '../../lib/format';
import { sortVersionsNewestFirst } from '../../lib/versions';

const VERDICT_LABEL: Record<ScanVerdict, string> = {
  safe: 'Safe',
  unsafe: 'Unsafe',
  error: 'Scan error',
  unsupported: 'Not a model format',
};

/** A chip naming a scanner verdict, coloured by severity. */
export function ScanVerdictChip(props: {
  verdict: ScanVerdict;
  subject?: string;
}) {
  const { verdict, subject } = props;
  const label = VERDICT_LABEL[verdict] ?? verdict;
  return (
    <Chip
      size="small"
      label={label}
      color={verdict === 'unsafe' ? 'secondary' : 'default'}
      variant={verdict === 'safe' ? 'outlined' : 'default'}
      aria-label={`Scan verdict${subject ? ` for ${subject}` : ''}: ${label}`}
    />
  );
}

function FileRow(props: { file: ModelVersionFile }) {
  const { file } = props;
  const [open, setOpen] = useState(false);
  const findings = file.scan?.findings ?? [];
  const verdict = file.scan?.verdict ?? 'error';
  return (
    <>
      <TableRow>
        <TableCell padding="checkbox">
          <IconButton
            size="small"
            aria-label={`${open ? 'Hide' : 'Show'} scan findings for ${
              file.path
            }`}
            aria-expanded={open}
            onClick={() => setOpen(o => !o)}
          >
            {open ? <KeyboardArrowUpIcon /> : <KeyboardArrowDownIcon />}
          </IconButton>
        </TableCell>
        <TableCell>
          <code>{file.path}</code>
        </TableCell>
        <TableCell>{file.format}</TableCell>
        <TableCell align="right">{formatBytes(file.size)}</TableCell>
        <TableCell>
          <Box display="flex" alignItems="center">
            <code title={file.sha256}>{shortSha(file.sha256)}</code>
            <CopyTextButton
              text={file.sha256}
              tooltipText="SHA-256 copied"
              aria-label={`Copy SHA-256 of ${file.path}`}
            />
          </Box>
        </TableCell>
        <TableCell>
          <ScanVerdictChip verdict={verdict} subject={file.path} />
        </TableCell>
      </TableRow>
      <TableRow>
        <TableCell colSpan={6} style={{ paddingBottom: 0, paddingTop: 0 }}>
          <Collapse in={open} timeout="auto" unmountOnExit>
            {findings.length === 0 ? (
              <Typography variant="body2" style={{ padding: 8 }}>
                The scanner reported no findings for this file.
              </Typography>
            ) : (
              <Table size="small" aria-label={`Scan findings for ${file.path}`}>
                <TableHead>
                  <TableRow>
                    <TableCell>Severity</TableCell>
                    <TableCell>Rule</TableCell>
                    <TableCell>Finding</TableCell>
                    <TableCell>Location</TableCell>
                  </TableRow>
                </TableHead>
                <TableBody>
                  {findings.map((f, i) => (
                    <TableRow key={`${f.rule}-${i}`}>
                      <TableCell>{f.severity}</TableCell>
                      <TableCell>
                        <code>{f.rule}</code>
                      </TableCell>
                      <TableCell>{f.message}</TableCell>
                      <TableCell>{f.location ?? '—'}</TableCell>
                    </TableRow>
                  ))}
                </TableBody>
              </Table>
            )}
          </Collapse>
        </TableCell>
      </TableRow>
    </>
  );
}

function VersionBlock(props: { version: ModelVersion }) {
  const { version } = props;
  const total = version.files.reduce((sum, f) => sum + f.size, 0);
  return (
    <Box component="section" aria-label={`Version ${version.version}`} mb={3}>
      <Box
        display="flex"
        alignItems="center"
        flexWrap="wrap"
        style={{ gap: 8 }}
      >
        <Typography variant="h6" component="h3">
          {version.version}
        </Typography>
        <Chip
          size="small"
          label={version.state === 'sealed' ? 'Sealed' : 'Draft'}
          variant="outlined"
        />
        {version.aliases.map(alias => (
          <Chip
            key={alias}
            size="small"
            color="primary"
            label={alias}
            aria-label={`Alias ${alias}`}
          />
        ))}
        <ScanVerdictChip
          verdict={version.scanVerdict}
          subject={`version ${version.version}`}
        />
      </Box>
      <Typography variant="body2" color="textSecondary">
        {version.files.length} file{version.files.length === 1 ? '' : 's'},{' '}
        {formatBytes(total)}; created {version.createdAt.slice(0, 10)} by{' '}
        {version.createdBy}
        {version.sealedAt ? `; sealed ${version.sealedAt.slice(0, 10)}` : ''}
      </Typography>
      {version.description && (
        <Typography variant="body2">{version.description}</Typography>
      )}
      {version.files.length === 0 ? (
        <Typography variant="body2">No files uploaded.</Typography>
      ) : (
        <Table size="small" aria-label={`Files of version ${version.version}`}>
          <TableHead>
            <TableRow>
              <TableCell padding="checkbox" />
              <TableCell>File</TableCell>
              <TableCell>Format</TableCell>
              <TableCell align="right">Size</TableCell>
              <TableCell>SHA-256</TableCell>
              <TableCell>Scan</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {version.files.map(file => (
              <FileRow key={file.path} file={file} />
            ))}
          </TableBody>
        </Table>
      )}
    </Box>
  );
}

/** Entity card listing the published versions of a model, their files and scans. */
export function EntityModelVersionsCard(props: { title?: string }) {
  const { entity } = useEntity();
  const modelHubApi = useApi(modelHubApiRef);
  const entityRef = stringifyEntityRef(entity);
  const { value, loading, error } = useAsyncRetry(
    () => modelHubApi.listVersions(entityRef),
    [modelHubApi, entityRef],
  );

  let content: ReactNode;
  if (loading) {
    content = <Progress />;
  } else if (error) {
    content = <ResponseErrorPanel error={error} />;
  } else if (!value || value.length === 0) {
    content = (
      <EmptyState
        missing="data"
        title="No versions published yet"
        description="Publish a version with the model-hub CLI or the publish template; its files and scan results will show here."
      />
    );
  } else {
    content = sortVersionsNewestFirst(value).map(v => (
      <VersionBlock key={v.version} version={v} />
    ));
  }
  return <InfoCard title={props.title ?? 'Versions'}>{content}</InfoCard>;
}
