import { Content, Header, Page } from '@backstage/core-components';
import { configApiRef, useApi } from '@backstage/core-plugin-api';
import {
  HomePageStarredEntities,
  HomePageToolkit,
} from '@backstage/plugin-home';
import { HomePageSearchBar } from '@backstage/plugin-search';
import { HomePageMostReusedModels } from '@internal/plugin-model-hub';
import Grid from '@material-ui/core/Grid';
import CategoryIcon from '@material-ui/icons/Category';
import CreateComponentIcon from '@material-ui/icons/AddCircleOutline';
import ModelHubIcon from '@material-ui/icons/Memory';
import ReuseIcon from '@material-ui/icons/EmojiEvents';

const tools = [
  { url: '/model-hub', label: 'Model Hub', icon: <ModelHubIcon /> },
  { url: '/model-hub/reuse', label: 'Model reuse', icon: <ReuseIcon /> },
  { url: '/catalog', label: 'Catalog', icon: <CategoryIcon /> },
  { url: '/create', label: 'Publish a model', icon: <CreateComponentIcon /> },
];

/**
 * The portal's landing page (`/home`, `@backstage/plugin-home`): search,
 * the models other teams reuse most, starred entities and shortcuts.
 */
export function HomePage() {
  const organization =
    useApi(configApiRef).getOptionalString('organization.name') ?? 'Backstage';
  return (
    <Page themeId="home">
      <Header
        title={`${organization} Home`}
        subtitle="Find a model others already trust before you train one"
      />
      <Content>
        <Grid container spacing={3}>
          <Grid item xs={12}>
            <HomePageSearchBar placeholder="Search models, services, teams" />
          </Grid>
          <Grid item xs={12} md={7}>
            <HomePageMostReusedModels />
          </Grid>
          <Grid item xs={12} md={5}>
            <Grid container spacing={3}>
              <Grid item xs={12}>
                <HomePageToolkit title="Shortcuts" tools={tools} />
              </Grid>
              <Grid item xs={12}>
                <HomePageStarredEntities />
              </Grid>
            </Grid>
          </Grid>
        </Grid>
      </Content>
    </Page>
  );
}
