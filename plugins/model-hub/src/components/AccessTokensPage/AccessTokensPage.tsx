import { Content, Header, Page } from '@backstage/core-components';
import { AccessTokensCard } from '../AccessTokensCard';

/** The page `/model-hub/tokens`: the signed-in user's personal access tokens. */
export function AccessTokensPage() {
  return (
    <Page themeId="tool">
      <Header
        title="Model Hub access tokens"
        subtitle="Personal access tokens for the CLI, scripts and Hugging Face clients"
      />
      <Content>
        <AccessTokensCard />
      </Content>
    </Page>
  );
}
