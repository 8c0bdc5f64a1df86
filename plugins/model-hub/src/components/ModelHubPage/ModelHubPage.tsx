import { memo } from 'react';
import {
  Content,
  ContentHeader,
  Header,
  Page,
  SupportButton,
} from '@backstage/core-components';
import { useSearchParams } from 'react-router-dom';
import { useApi } from '@backstage/core-plugin-api';
import { modelHubApiRef } from '../../api';
import { ModelHubSearch } from './ModelHubSearch';
import { queryFromParams, toSearchQuery } from './query';
import { useEarlySearch } from './useModelSearch';

/** Options of {@link ModelHubPage}. */
export interface ModelHubPageProps {
  /** Page title; defaults to `Model Hub`. */
  title?: string;
}

/**
 * The page around the search, rendered again only when its title changes:
 * Backstage's `Page` hands MUI's ThemeProvider a new theme function on every
 * render, and a new theme makes every `makeStyles` below it build and insert
 * its style sheet again. With the search state up here, each facet click
 * re-created the whole page's sheets three times (URL, page, counts).
 */
const HubPageFrame = memo(function Frame(props: { title: string }) {
  return (
    <Page themeId="tool">
      <Header
        title={props.title}
        subtitle="Find governed models: official, community and external"
      />
      <Content>
        <ContentHeader title="Models">
          <SupportButton>
            Official models are vetted by the compliance gauntlet; community
            models are published without those guarantees; external models are
            third-party models registered for visibility. The address bar keeps
            your search, filters and sort: copy it to share them.
          </SupportButton>
        </ContentHeader>
        <ModelHubSearch />
      </Content>
    </Page>
  );
});

/**
 * The hub: searches, filters, sorts and pages through the models the user
 * may see, server-side (`GET /api/model-hub/v1/models`); see
 * {@link ModelHubSearch}.
 */
export function ModelHubPage(props: ModelHubPageProps) {
  // The first search leaves now, not after the frame, filter bar and table
  // have rendered (the search adopts it).
  const hubApi = useApi(modelHubApiRef);
  const [searchParams] = useSearchParams();
  useEarlySearch(hubApi, toSearchQuery(queryFromParams(searchParams)));
  return <HubPageFrame title={props.title ?? 'Model Hub'} />;
}
