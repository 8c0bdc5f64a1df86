import Typography from '@material-ui/core/Typography';
import { ModelGauntlet } from '../../api';

/** One line per approval that stopped counting, newest first. */
export function invalidatedApprovalNotices(gauntlet: ModelGauntlet): string[] {
  const entries = [
    ...gauntlet.approvals.flatMap(p =>
      (p.approvals ?? []).map(a => ({ a, what: `promotion to ${p.tier}` })),
    ),
    ...gauntlet.waivers.flatMap(w =>
      (w.approvals ?? []).map(a => ({ a, what: `waiver of ${w.checkId}` })),
    ),
  ].filter(e => e.a.invalidatedAt);
  entries.sort((x, y) =>
    (y.a.invalidatedAt ?? '').localeCompare(x.a.invalidatedAt ?? ''),
  );
  return entries.map(
    ({ a, what }) =>
      `Approval by ${a.approver} (${what}) was invalidated: ${
        a.invalidatedReason ?? 'what it approved changed'
      }`,
  );
}

/**
 * Tells the model page's readers which governance approvals no longer
 * count and why (four-eyes approvals bind to the version, its files and
 * the gauntlet run the approver saw).
 */
export function InvalidatedApprovalsNotice(props: { gauntlet: ModelGauntlet }) {
  const notices = invalidatedApprovalNotices(props.gauntlet);
  if (notices.length === 0) return null;
  return (
    <div role="status" aria-label="Invalidated approvals">
      {notices.map(n => (
        <Typography key={n} variant="body2" color="error" paragraph>
          {n}
        </Typography>
      ))}
    </div>
  );
}
