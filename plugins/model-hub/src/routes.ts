import { createRouteRef } from '@backstage/core-plugin-api';

/** Route of the Model Hub page (mounted at `/model-hub` in the portal). */
export const rootRouteRef = createRouteRef({ id: 'model-hub' });
