import useAsync from 'react-use/esm/useAsync';
import { Link } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import Box from '@material-ui/core/Box';
import Chip from '@material-ui/core/Chip';
import ListItem from '@material-ui/core/ListItem';
import ListItemText from '@material-ui/core/ListItemText';
import Typography from '@material-ui/core/Typography';
import { MODEL_TIERS, ModelTier } from '@internal/plugin-model-hub-common';
import { modelHubApiRef } from '../../api';
import { TierBadge } from '../TierBadge';
import { latestVersion } from '../EntityTeamModelsCard';

/** The fields of a Model search document (see the portal's search module). */
export interface ModelSearchDocument {
  title: string;
  text: string;
  location: string;
  namespace?: string;
  kind?: string;
  owner?: string;
  tier?: string;
  tierEarned?: boolean;
  task?: string;
  framework?: string;
  license?: string;
}

/** The model ref of a catalog search document (`/catalog/:ns/model/:name`). */
export function modelRefOfLocation(location: string): string | undefined {
  const match = /\/catalog\/([^/]+)\/model\/([^/?#]+)/i.exec(location);
  return match
    ? `model:${decodeURIComponent(match[1])}/${decodeURIComponent(
        match[2],
      )}`.toLocaleLowerCase('en-US')
    : undefined;
}

/**
 * A search result for a `kind: Model` document: its tier badge, task,
 * framework, licence, latest sealed version (asked from the hub) and owner.
 */
export function ModelSearchResultListItem(props: {
  result?: ModelSearchDocument;
  rank?: number;
}) {
  const { result } = props;
  const hub = useApi(modelHubApiRef);
  const ref = result ? modelRefOfLocation(result.location) : undefined;
  const { value: latest } = useAsync(
    async () => (ref ? latestVersion(await hub.listVersions(ref)) : undefined),
    [hub, ref],
  );
  if (!result) return null;
  const tier = (MODEL_TIERS as readonly string[]).includes(result.tier ?? '')
    ? (result.tier as ModelTier)
    : undefined;
  const facts: Array<[string, string | undefined]> = [
    ['Task', result.task],
    ['Framework', result.framework],
    ['Licence', result.license],
    ['Latest', latest],
  ];
  return (
    <ListItem alignItems="flex-start" divider>
      <ListItemText
        primaryTypographyProps={{ variant: 'h6' }}
        primary={
          <Box display="flex" alignItems="center" style={{ gap: 8 }}>
            <Link to={result.location}>{result.title}</Link>
            <TierBadge
              status={{
                effective: result.tierEarned ? tier : undefined,
                requested: tier,
              }}
            />
          </Box>
        }
        secondary={
          <>
            <Typography component="span" variant="body2" display="block">
              {result.text}
            </Typography>
            <Box component="span" display="flex" flexWrap="wrap" mt={1}>
              {facts
                .filter(([, v]) => v)
                .map(([label, v]) => (
                  <Chip
                    key={label}
                    size="small"
                    component="span"
                    label={`${label}: ${v}`}
                    style={{ marginRight: 4, marginBottom: 4 }}
                  />
                ))}
              {result.owner && (
                <Typography component="span" variant="caption">
                  Owner: <EntityRefLink entityRef={result.owner} />
                </Typography>
              )}
            </Box>
          </>
        }
      />
    </ListItem>
  );
}
