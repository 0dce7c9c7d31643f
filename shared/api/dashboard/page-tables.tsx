// Self-describing JSX settings: tsx and esbuild also compile this file outside this repo's tsconfig
// (the installed CLI runs from any directory; Lambda bundles).
/** @jsxRuntime automatic @jsxImportSource hono/jsx */
import type { FC } from 'hono/jsx';
import type { Finding } from '../../core/finding.ts';
import type { DashboardAuditEvent, DashboardIncident, DashboardRecovery } from './dashboard-data.ts';
import { relativeTime } from './relative-time.ts';

/** A time as "4 min ago", exact on hover. */
export const When: FC<{ iso: string; now: number }> = ({ iso, now }) => (
  <time datetime={iso} title={iso}>
    {relativeTime(iso, now)}
  </time>
);

export const Findings: FC<{ findings: Finding[] }> = ({ findings }) => (
  <section id="findings">
    <h2>Open findings ({findings.length})</h2>
    {findings.length === 0 ? (
      <p class="muted">The last sweep of every cluster found nothing wrong.</p>
    ) : (
      <table>
        <thead>
          <tr>
            <th>severity</th>
            <th>where</th>
            <th>finding</th>
            <th>message</th>
          </tr>
        </thead>
        <tbody>
          {findings.map((f) => (
            <tr data-finding={f.id}>
              <td class={`sev-${f.severity}`}>{f.severity}</td>
              <td>{f.node ? `${f.cluster}/${f.node}` : f.cluster}</td>
              <td>
                <code>{f.id}</code>
              </td>
              <td>{f.message}</td>
            </tr>
          ))}
        </tbody>
      </table>
    )}
  </section>
);

export const Incidents: FC<{ incidents: DashboardIncident[]; now: number }> = ({ incidents, now }) => (
  <section id="incidents">
    <h2>Open incidents ({incidents.length})</h2>
    {incidents.length === 0 ? (
      <p class="muted">No open incidents.</p>
    ) : (
      <table>
        <thead>
          <tr>
            <th>severity</th>
            <th>where</th>
            <th>finding</th>
            <th>message</th>
            <th>opened</th>
            <th>status</th>
          </tr>
        </thead>
        <tbody>
          {incidents.map((i) => (
            <tr data-finding={i.findingId}>
              <td class={`sev-${i.severity}`}>{i.severity}</td>
              <td>{i.node ? `${i.cluster}/${i.node}` : i.cluster}</td>
              <td>
                <code>{i.findingId}</code>
              </td>
              <td>{i.message}</td>
              <td>
                <When iso={i.openedAt} now={now} />
              </td>
              <td>
                {[
                  i.silencedBy ? `silenced by ${i.silencedBy.id} (${i.silencedBy.createdBy})` : null,
                  i.acknowledgedBy ? `acknowledged by ${i.acknowledgedBy}` : null,
                ]
                  .filter((x) => x !== null)
                  .join('; ') || 'paging'}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    )}
  </section>
);

/**
 * Recoveries asked of the API, hooks and events (one row per request, however many nodes it
 * touched): what was asked, whether it finished in the request or in the worker, and how.
 */
export const Recoveries: FC<{ recoveries: DashboardRecovery[]; now: number }> = ({ recoveries, now }) => (
  <section id="recoveries">
    <h2>Recent recoveries</h2>
    {recoveries.length === 0 ? (
      <p class="muted">No recoveries requested in the last 7 days.</p>
    ) : (
      <table>
        <thead>
          <tr>
            <th>started</th>
            <th>id</th>
            <th>by</th>
            <th>asked</th>
            <th>status</th>
            <th>outcome</th>
          </tr>
        </thead>
        <tbody>
          {recoveries.map((r) => (
            <tr data-recovery={r.id} data-status={r.status}>
              <td>
                <When iso={r.createdAt} now={now} />
              </td>
              <td>
                <code>{r.id}</code>
              </td>
              <td>{r.trigger}</td>
              <td>{r.asked.join('; ')}</td>
              <td>
                {r.status}
                {r.attempts > 0 ? <span class="muted"> (worker attempts: {r.attempts})</span> : null}
              </td>
              <td class={r.outcomes.every((o) => o === 'ok') ? 'ok' : ''}>{r.outcomes.join('; ')}</td>
            </tr>
          ))}
        </tbody>
      </table>
    )}
  </section>
);

/** The audit trail of every cluster: each unseal, join, silence and acknowledgement, newest first. */
export const Actions: FC<{ events: DashboardAuditEvent[]; now: number }> = ({ events, now }) => (
  <section id="actions">
    <h2>Recent actions</h2>
    {events.length === 0 ? (
      <p class="muted">No unseals or other actions recorded.</p>
    ) : (
      <table>
        <thead>
          <tr>
            <th>when</th>
            <th>where</th>
            <th>action</th>
            <th>outcome</th>
            <th>by</th>
            <th>shares (indexes)</th>
            <th>ms</th>
          </tr>
        </thead>
        <tbody>
          {events.map((e) => (
            <tr data-action={e.action} data-outcome={e.outcome}>
              <td>
                <When iso={e.at} now={now} />
              </td>
              <td>{e.node && e.node !== '-' ? `${e.cluster}/${e.node}` : e.cluster}</td>
              <td>{e.action}</td>
              <td class={e.outcome === 'unsealed' ? 'ok' : ''}>{e.outcome}</td>
              <td>{e.trigger}</td>
              <td>{e.shareIndexes.join(', ')}</td>
              <td>{Math.round(e.timings.totalMs)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    )}
  </section>
);
