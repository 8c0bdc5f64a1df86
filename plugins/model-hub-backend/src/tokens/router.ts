import { AuditorService, HttpAuthService } from '@backstage/backend-plugin-api';
import { NotAllowedError } from '@backstage/errors';
import { accessTokenScopes } from '@internal/plugin-model-hub-common';
import express from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import { actorRef, audited, parseBody } from '../service/requests';
import { presentedAccessToken } from './accessTokenHttpAuth';
import { TokenService } from './TokenService';

const createTokenBody = z.object({
  name: z.string(),
  scopes: z.array(z.enum(accessTokenScopes as [string, ...string[]])),
  expiresInDays: z.number().int().optional(),
});

/**
 * Personal access token routes for the signed-in user: list (never
 * secrets), create (the secret is in this one answer) and revoke. Only
 * users have tokens; through a token they list (read scope) and revoke
 * (admin scope) them but never create one.
 */
export async function createTokensRouter(options: {
  tokens: TokenService;
  httpAuth: HttpAuthService;
  auditor: AuditorService;
}): Promise<express.Router> {
  const { tokens, httpAuth, auditor } = options;
  const router = Router();
  const json = express.json({ limit: '16kb' });

  router.get('/v1/tokens', async (req, res) => {
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    res.json({ items: await tokens.list(actorRef(credentials)) });
  });

  router.post('/v1/tokens', json, async (req, res) => {
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    const body = parseBody(createTokenBody, req.body);
    const created = await audited(
      auditor,
      req,
      'token-create',
      { name: body.name },
      async () => {
        // A token that could mint tokens would let a stolen one outlive its
        // revocation and its expiry: new tokens need a portal sign-in.
        if (presentedAccessToken(req)) {
          throw new NotAllowedError(
            'A personal access token cannot create tokens; sign in to the portal and create one on the page /model-hub/tokens',
          );
        }
        const value = await tokens.issue(actorRef(credentials), {
          name: body.name,
          scopes: body.scopes as any,
          expiresInDays: body.expiresInDays,
        });
        return {
          value,
          meta: { tokenId: value.id, scopes: value.scopes.join(',') },
        };
      },
    );
    res.setHeader('Cache-Control', 'no-store');
    res.status(201).json(created);
  });

  router.delete('/v1/tokens/:id', async (req, res) => {
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    const revoked = await audited(
      auditor,
      req,
      'token-revoke',
      { tokenId: req.params.id },
      async () => ({
        value: await tokens.revoke(req.params.id, actorRef(credentials)),
      }),
    );
    res.json(revoked);
  });

  return router;
}
