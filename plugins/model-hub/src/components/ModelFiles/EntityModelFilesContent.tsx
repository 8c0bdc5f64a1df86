import { useMemo, useState } from 'react';
import { CopyTextButton } from '@backstage/core-components';
import { ModelVersion } from '@internal/plugin-model-hub-common';
import Box from '@material-ui/core/Box';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TablePagination from '@material-ui/core/TablePagination';
import TableRow from '@material-ui/core/TableRow';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import { formatBytes, shortSha } from '../../lib/format';
import { ScanVerdictChip } from '../EntityModelVersionsCard/EntityModelVersionsCard';
import {
  ModelVersionsInfoCard,
  useQueryState,
  VersionSelect,
} from '../VersionSelect';
import { DownloadFileButton } from './DownloadFileButton';
import { scanReason } from './scanReason';
import { visuallyHidden } from '../../lib/visuallyHidden';

const PAGE_SIZES = [25, 50, 100];

function FilesTable(props: { entityRef: string; version: ModelVersion }) {
  const { entityRef, version } = props;
  const [filter, setFilter] = useState('');
  const [page, setPage] = useState(0);
  const [pageSize, setPageSize] = useState(50);
  const files = useMemo(() => {
    const needle = filter.trim().toLowerCase();
    return needle
      ? version.files.filter(f => f.path.toLowerCase().includes(needle))
      : version.files;
  }, [version.files, filter]);
  const total = version.files.reduce((sum, f) => sum + f.size, 0);
  const pageFiles = files.slice(page * pageSize, (page + 1) * pageSize);
  return (
    <>
      <Box
        display="flex"
        alignItems="center"
        flexWrap="wrap"
        style={{ gap: 16 }}
      >
        <Typography variant="body2" color="textSecondary">
          {version.files.length} file{version.files.length === 1 ? '' : 's'},{' '}
          {formatBytes(total)}
        </Typography>
        <TextField
          id="model-files-filter"
          label="Filter by path"
          size="small"
          value={filter}
          onChange={e => {
            setFilter(e.target.value);
            setPage(0);
          }}
        />
      </Box>
      <Table size="small" aria-label={`Files of version ${version.version}`}>
        <TableHead>
          <TableRow>
            <TableCell>Path</TableCell>
            <TableCell align="right">Size</TableCell>
            <TableCell>SHA-256</TableCell>
            <TableCell>Scan</TableCell>
            <TableCell>Reason</TableCell>
            <TableCell padding="checkbox">
              <span style={visuallyHidden}>Download</span>
            </TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {pageFiles.map(file => (
            <TableRow key={file.path}>
              <TableCell style={{ wordBreak: 'break-all' }}>
                <code>{file.path}</code>
              </TableCell>
              <TableCell align="right" style={{ whiteSpace: 'nowrap' }}>
                {formatBytes(file.size)}
              </TableCell>
              <TableCell style={{ whiteSpace: 'nowrap' }}>
                <code title={file.sha256}>{shortSha(file.sha256)}</code>
                <CopyTextButton
                  text={file.sha256}
                  tooltipText="SHA-256 copied"
                  aria-label={`Copy SHA-256 of ${file.path}`}
                />
              </TableCell>
              <TableCell>
                <ScanVerdictChip
                  verdict={file.scan?.verdict ?? 'error'}
                  subject={file.path}
                />
              </TableCell>
              <TableCell>
                <Typography variant="body2">{scanReason(file)}</Typography>
              </TableCell>
              <TableCell padding="checkbox">
                <DownloadFileButton
                  entityRef={entityRef}
                  version={version.version}
                  path={file.path}
                  size={file.size}
                />
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
      {files.length === 0 && (
        <Typography variant="body2" style={{ padding: 8 }}>
          {version.files.length === 0
            ? 'No files uploaded.'
            : `No file path contains "${filter}".`}
        </Typography>
      )}
      <TablePagination
        component="div"
        count={files.length}
        page={page}
        rowsPerPage={pageSize}
        rowsPerPageOptions={PAGE_SIZES}
        onPageChange={(_e, p) => setPage(p)}
        onRowsPerPageChange={e => {
          setPageSize(Number(e.target.value));
          setPage(0);
        }}
      />
    </>
  );
}

/**
 * The Files tab of a model: one version's files (chosen in the page, kept
 * in `?version=`) with size, digest, scanner verdict and reason, and a
 * download per file; filtered and paged so 10,000 files stay fast.
 */
export function EntityModelFilesContent() {
  const [params, setQuery] = useQueryState();
  return (
    <ModelVersionsInfoCard
      title="Files"
      enough={versions => versions.length > 0}
      empty={{
        title: 'No versions published yet',
        description:
          'Publish a version with the model-hub CLI or the publish template; its files will show here.',
      }}
    >
      {({ entityRef, versions, defaultVersion }) => {
        const selected =
          versions.find(v => v.version === params.get('version')) ??
          versions.find(v => v.version === defaultVersion)!;
        return (
          <>
            <Box mb={2}>
              <VersionSelect
                label="Version"
                versions={versions}
                value={selected.version}
                onChange={v => setQuery({ version: v })}
              />
            </Box>
            <FilesTable
              key={selected.version}
              entityRef={entityRef}
              version={selected}
            />
          </>
        );
      }}
    </ModelVersionsInfoCard>
  );
}
