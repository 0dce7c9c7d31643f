// Self-describing JSX settings: tsx and esbuild also compile this file outside this repo's tsconfig
// (the installed CLI runs from any directory; Lambda bundles).
/** @jsxRuntime automatic @jsxImportSource hono/jsx */
import type { FC } from 'hono/jsx';
import type { DashboardAuditEvent, DashboardCluster, DashboardIncident, DashboardRecovery, DashboardView } from './dashboard-data.ts';
import { LEGEND_STATES, STATE_COLORS } from './state-colors.ts';

// Constant text, no user data: injected raw so CSS selectors are not HTML-escaped.
const CSS = `
body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;background:#f5f5f5;color:#212121}
header{background:#263238;color:#fff;padding:12px 24px;display:flex;justify-content:space-between;align-items:baseline}
header h1{font-size:20px;margin:0}
main{padding:16px 24px;display:grid;gap:16px}
section{background:#fff;border-radius:6px;padding:12px 16px;box-shadow:0 1px 2px rgba(0,0,0,.15)}
h2{font-size:16px;margin:0 0 8px}
.nodes{display:flex;flex-wrap:wrap;gap:8px}
.node{border-radius:6px;padding:8px 10px;min-width:150px}
.node b{display:block;font-size:15px}
.node small{display:block;opacity:.9}
.legend{display:flex;flex-wrap:wrap;gap:6px;margin:0;padding:0;list-style:none}
.legend li{border-radius:4px;padding:2px 8px;font-size:12px}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:4px 8px;border-bottom:1px solid #e0e0e0;font-size:13px}
.sev-critical{color:#b71c1c;font-weight:bold}.sev-warning{color:#e65100;font-weight:bold}
.muted{color:#757575}
`;

export interface PageProps {
  view: DashboardView;
  refreshSeconds: number;
  version: string;
}

/** The whole dashboard: a server-rendered page that reloads itself every `refreshSeconds`. */
export const DashboardPage: FC<PageProps> = ({ view, refreshSeconds, version }) => (
  <html lang="en">
    <head>
      <meta charset="utf-8" />
      <meta http-equiv="refresh" content={String(refreshSeconds)} />
      <meta name="viewport" content="width=device-width, initial-scale=1" />
      <title>{`sealwatch — ${summaryLine(view)}`}</title>
      <style dangerouslySetInnerHTML={{ __html: CSS }} />
    </head>
    <body>
      <header>
        <h1>sealwatch</h1>
        <span>
          {summaryLine(view)} · updated <time datetime={view.generatedAt}>{view.generatedAt}</time> · refreshes every{' '}
          {refreshSeconds} s · sealwatch {version}
        </span>
      </header>
      <main>
        <Legend />
        {view.clusters.map((cluster) => (
          <ClusterSection cluster={cluster} />
        ))}
        <Incidents incidents={view.incidents} />
        <Recoveries recoveries={view.recoveries} />
        <AuditTable id="unseals" title="Recent unseals" events={view.unseals} empty="No unseals recorded." />
        <AuditTable id="audit" title="Recent audit events" events={view.audit} empty="No audit events recorded." />
      </main>
    </body>
  </html>
);

const Legend: FC = () => (
  <section aria-label="legend">
    <ul class="legend">
      {LEGEND_STATES.map((state) => {
        const c = STATE_COLORS[state];
        return (
          <li style={`background:${c.background};color:${c.text}`} title={c.meaning}>
            {state}
          </li>
        );
      })}
    </ul>
  </section>
);

const ClusterSection: FC<{ cluster: DashboardCluster }> = ({ cluster }) => (
  <section id={`cluster-${cluster.id}`}>
    <h2>
      {cluster.name} {cluster.name === cluster.id ? null : <span class="muted">({cluster.id})</span>}
    </h2>
    <div class="nodes">
      {cluster.nodes.map((node) => {
        const c = STATE_COLORS[node.state];
        return (
          <div class="node" data-node={node.id} data-state={node.state} style={`background:${c.background};color:${c.text}`}>
            <b>{node.id}</b>
            <small>{node.state}</small>
            <small>{node.url}</small>
            {node.version ? <small>Vault {node.version}</small> : null}
            {node.since ? <small>since {node.since}</small> : null}
            {node.error ? <small>error: {node.error}</small> : null}
          </div>
        );
      })}
    </div>
  </section>
);

const Recoveries: FC<{ recoveries: DashboardRecovery[] }> = ({ recoveries }) => (
  <section id="recoveries">
    <h2>Recent recoveries</h2>
    {recoveries.length === 0 ? (
      <p class="muted">No recoveries in the last 7 days.</p>
    ) : (
      <table>
        <thead>
          <tr>
            <th>started</th>
            <th>id</th>
            <th>trigger</th>
            <th>asked</th>
            <th>status</th>
            <th>outcome</th>
          </tr>
        </thead>
        <tbody>
          {recoveries.map((r) => (
            <tr data-recovery={r.id} data-status={r.status}>
              <td>
                <time datetime={r.createdAt}>{r.createdAt}</time>
              </td>
              <td>{r.id}</td>
              <td>{r.trigger}</td>
              <td>{r.asked.join('; ')}</td>
              <td>
                {r.status}
                {r.attempts > 0 ? <span class="muted"> (worker attempts: {r.attempts})</span> : null}
              </td>
              <td>{r.outcomes.join('; ')}</td>
            </tr>
          ))}
        </tbody>
      </table>
    )}
  </section>
);

const Incidents: FC<{ incidents: DashboardIncident[] }> = ({ incidents }) => (
  <section id="incidents">
    <h2>Open incidents ({incidents.length})</h2>
    {incidents.length === 0 ? (
      <p class="muted">No open incidents.</p>
    ) : (
      <table>
        <thead>
          <tr>
            <th>severity</th>
            <th>cluster</th>
            <th>node</th>
            <th>finding</th>
            <th>message</th>
            <th>opened</th>
          </tr>
        </thead>
        <tbody>
          {incidents.map((i) => (
            <tr data-finding={i.findingId}>
              <td class={`sev-${i.severity}`}>{i.severity}</td>
              <td>{i.cluster}</td>
              <td>{i.node ?? '—'}</td>
              <td>{i.findingId}</td>
              <td>{i.message}</td>
              <td>{i.openedAt}</td>
            </tr>
          ))}
        </tbody>
      </table>
    )}
  </section>
);

const AuditTable: FC<{ id: string; title: string; events: DashboardAuditEvent[]; empty: string }> = ({ id, title, events, empty }) => (
  <section id={id}>
    <h2>{title}</h2>
    {events.length === 0 ? (
      <p class="muted">{empty}</p>
    ) : (
      <table>
        <thead>
          <tr>
            <th>at</th>
            <th>cluster</th>
            <th>node</th>
            <th>action</th>
            <th>trigger</th>
            <th>outcome</th>
            <th>shares (indexes)</th>
            <th>ms</th>
          </tr>
        </thead>
        <tbody>
          {events.map((e) => (
            <tr>
              <td>{e.at}</td>
              <td>{e.cluster}</td>
              <td>{e.node}</td>
              <td>{e.action}</td>
              <td>{e.trigger}</td>
              <td>{e.outcome}</td>
              <td>{e.shareIndexes.join(', ')}</td>
              <td>{Math.round(e.timings.totalMs)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    )}
  </section>
);

function summaryLine(view: DashboardView): string {
  const nodes = view.clusters.flatMap((c) => c.nodes);
  const sealed = nodes.filter((n) => n.state === 'sealed').length;
  const open = view.incidents.length;
  return `${count(view.clusters.length, 'cluster')}, ${count(nodes.length, 'node')}, ${sealed} sealed, ${count(open, 'open incident')}`;
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
