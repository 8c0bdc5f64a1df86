import { useMemo } from 'react';
import { Progress, ResponseErrorPanel } from '@backstage/core-components';
import {
  compareVersions,
  ModelVersion,
} from '@internal/plugin-model-hub-common';
import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import {
  ModelVersionsInfoCard,
  useQueryState,
  VersionSelect,
} from '../VersionSelect';
import { CompareTables } from './CompareTables';
import { useVersionSnapshots } from './useVersionSnapshots';

function Comparison(props: {
  entityRef: string;
  a: ModelVersion;
  b: ModelVersion;
}) {
  const { entityRef, a, b } = props;
  const versions = useMemo(() => [a, b], [a, b]);
  const { value, loading, error } = useVersionSnapshots(entityRef, versions);
  if (loading) return <Progress />;
  if (error) return <ResponseErrorPanel error={error} />;
  const [sa, sb] = value!;
  return <CompareTables comparison={compareVersions(sa, sb)} />;
}

/**
 * Compare tab of a model: two versions side by side (metrics with deltas,
 * gauntlet checks with regressions first, tier, licence, dependencies,
 * files). The pair is in the URL (`?a=1.0.0&b=1.1.0`), so it can be shared.
 */
export function EntityModelCompareContent() {
  const [params, setQuery] = useQueryState();
  return (
    <ModelVersionsInfoCard
      title="Compare versions"
      enough={versions => versions.length >= 2}
      empty={{
        title: 'Nothing to compare yet',
        description: 'Comparing needs two published versions of this model.',
      }}
    >
      {({ entityRef, versions, defaultVersion }) => {
        const find = (v: string | null) => versions.find(x => x.version === v);
        const b = find(params.get('b')) ?? find(defaultVersion ?? null)!;
        const a =
          find(params.get('a')) ??
          versions.find(
            x =>
              x.version !== b.version &&
              versions.indexOf(x) > versions.indexOf(b),
          ) ??
          versions.find(x => x.version !== b.version)!;
        const choose = (key: 'a' | 'b') => (v: string) =>
          setQuery({ a: a.version, b: b.version, [key]: v });
        return (
          <>
            <Box
              display="flex"
              alignItems="center"
              flexWrap="wrap"
              style={{ gap: 16 }}
              mb={2}
            >
              <VersionSelect
                label="Version A"
                versions={versions}
                value={a.version}
                onChange={choose('a')}
              />
              <Typography aria-hidden>→</Typography>
              <VersionSelect
                label="Version B"
                versions={versions}
                value={b.version}
                onChange={choose('b')}
              />
            </Box>
            {a.version === b.version ? (
              <Typography variant="body2">
                Pick two different versions.
              </Typography>
            ) : (
              <Comparison entityRef={entityRef} a={a} b={b} />
            )}
          </>
        );
      }}
    </ModelVersionsInfoCard>
  );
}
