import {
  AuthService,
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { NotAllowedError } from '@backstage/errors';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { modelHubAuditReadPermission } from '@internal/plugin-model-hub-common';
import express, { Request } from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import { DeliveryStore } from '../events/DeliveryStore';
import { parseQuery } from '../service/requests';
import { AuditTrailStore } from './AuditTrailStore';
import { auditCsv } from './csv';

const ref = z.string().max(255).optional();
const auditQuery = z.object({
  model: ref,
  team: ref,
  actor: ref,
  limit: z.coerce.number().int().min(1).max(10_000).default(500),
});
const deliveriesQuery = z.object({
  eventId: z.string().max(64).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
});

/**
 * Admin routes: the audit trail (JSON and CSV, filterable by model, team and
 * person) and webhook delivery attempts. Users only, and only with
 * `model-hub.audit.read` (the portal policy grants it to the governance
 * group); service principals are refused, whatever their grants.
 */
export async function createAdminRouter(options: {
  audit: AuditTrailStore;
  deliveries: DeliveryStore;
  httpAuth: HttpAuthService;
  auth: AuthService;
  permissions: PermissionsService;
}): Promise<express.Router> {
  const { audit, deliveries, httpAuth, permissions } = options;
  const router = Router();

  async function admin(req: Request) {
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    const [decision] = await permissions.authorize(
      [{ permission: modelHubAuditReadPermission }],
      { credentials },
    );
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(
        'The audit trail and webhook deliveries are for administrators (model-hub.audit.read); ask the governance group',
      );
    }
  }

  router.get('/v1/audit', async (req, res) => {
    await admin(req);
    res.json({ items: await audit.list(parseQuery(auditQuery, req.query)) });
  });

  router.get('/v1/audit.csv', async (req, res) => {
    await admin(req);
    const records = await audit.list(parseQuery(auditQuery, req.query));
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader(
      'Content-Disposition',
      'attachment; filename="model-hub-audit.csv"',
    );
    res.send(auditCsv(records));
  });

  router.get('/v1/events/deliveries', async (req, res) => {
    await admin(req);
    res.json({
      items: await deliveries.list(parseQuery(deliveriesQuery, req.query)),
    });
  });

  return router;
}
