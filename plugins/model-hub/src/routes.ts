import { createRouteRef } from '@backstage/core-plugin-api';

/** Route of the Model Hub page (mounted at `/model-hub` in the portal). */
export const rootRouteRef = createRouteRef({ id: 'model-hub' });

/** Route of the personal access tokens page (mounted at `/model-hub/tokens`). */
export const tokensRouteRef = createRouteRef({ id: 'model-hub-tokens' });

/** Route of the reuse leaderboard page (mounted at `/model-hub/reuse`). */
export const reuseRouteRef = createRouteRef({ id: 'model-hub-reuse' });

/** Route of the admin audit page (mounted at `/model-hub/audit`). */
export const auditRouteRef = createRouteRef({ id: 'model-hub-audit' });
