// Self-describing JSX settings: tsx and esbuild also compile this file outside this repo's tsconfig
// (the installed CLI runs from any directory; Lambda bundles).
/** @jsxRuntime automatic @jsxImportSource hono/jsx */
import type { FC } from 'hono/jsx';
import { STALE_AFTER_INTERVALS } from '../../core/staleness.ts';
import type { DashboardCluster, DashboardView } from './dashboard-data.ts';
import { Actions, Findings, Incidents, Recoveries, When } from './page-tables.tsx';
import { durationWords } from './relative-time.ts';
import { LEGEND_STATES, STATE_COLORS } from './state-colors.ts';

// Constant text, no user data: injected raw so CSS selectors are not HTML-escaped.
const CSS = `
body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;background:#f5f5f5;color:#212121}
header{background:#263238;color:#fff;padding:12px 24px;display:flex;justify-content:space-between;align-items:baseline}
header h1{font-size:20px;margin:0}
main{padding:16px 24px;display:grid;gap:12px}
section{background:#fff;border-radius:6px;padding:10px 16px;box-shadow:0 1px 2px rgba(0,0,0,.15)}
h2{font-size:16px;margin:0 0 6px}
.banner{border-radius:6px;padding:10px 16px;font-weight:bold}
.banner.stale{background:#fff3e0;border:2px solid #e65100;color:#bf360c}
.cluster-line{margin:0 0 8px;color:#424242}
.nodes{display:flex;flex-wrap:wrap;gap:8px}
.node{border-radius:6px;padding:8px 10px;min-width:170px}
.node b{display:block;font-size:15px}
.node small{display:block;opacity:.95}
.node.stale{filter:grayscale(1);opacity:.45}
.node .tag{font-size:11px;font-weight:bold;text-transform:uppercase}
.legend{display:flex;flex-wrap:wrap;gap:6px;margin:0;padding:0;list-style:none}
.legend li{border-radius:4px;padding:2px 8px;font-size:12px}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:3px 8px;border-bottom:1px solid #e0e0e0;font-size:13px}
.sev-critical{color:#b71c1c;font-weight:bold}.sev-warning{color:#e65100;font-weight:bold}.sev-info{color:#1565c0}
.ok{color:#2e7d32;font-weight:bold}
.muted{color:#757575}
time{border-bottom:1px dotted #9e9e9e}
`;

export interface PageProps {
  view: DashboardView;
  refreshSeconds: number;
  version: string;
}

/** The whole dashboard: a server-rendered page that reloads itself every `refreshSeconds`. */
export const DashboardPage: FC<PageProps> = ({ view, refreshSeconds, version }) => {
  const now = Date.parse(view.generatedAt);
  return (
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
            {summaryLine(view)} · page rendered <When iso={view.generatedAt} now={now} /> · refreshes every {refreshSeconds} s · sealwatch {version}
          </span>
        </header>
        <main>
          <StaleBanner view={view} now={now} />
          {view.clusters.map((cluster) => (
            <ClusterSection cluster={cluster} now={now} />
          ))}
          <Incidents incidents={view.incidents} now={now} />
          <Findings findings={view.findings} />
          <Recoveries recoveries={view.recoveries} now={now} />
          <Actions events={view.actions} now={now} />
          <Legend />
        </main>
      </body>
    </html>
  );
};

/** Shown when any cluster's last sweep is older than 2 × the interval: its tiles are then history. */
const StaleBanner: FC<{ view: DashboardView; now: number }> = ({ view, now }) => {
  const stale = view.clusters.filter((c) => c.freshness.stale);
  if (stale.length === 0) return null;
  const interval = durationWords(view.sweepIntervalMs);
  return (
    <div class="banner stale" id="stale-banner" role="alert">
      Stale: {stale.map((c) => (c.freshness.lastSweepAt ? `${c.id} last swept ${relative(c.freshness.lastSweepAt, now)}` : `${c.id} never swept`)).join(', ')} (sweeps are
      expected every {interval}; stale after {STALE_AFTER_INTERVALS} × that). The node states shown are not current: is the schedule (or{' '}
      <code>sealwatch serve</code>) running?
    </div>
  );
};

function relative(iso: string, now: number): string {
  return `${durationWords(Math.max(0, now - Date.parse(iso)))} ago (${iso})`;
}

const ClusterSection: FC<{ cluster: DashboardCluster; now: number }> = ({ cluster, now }) => {
  const { freshness, line } = cluster;
  return (
    <section id={`cluster-${cluster.id}`} data-stale={String(freshness.stale)}>
      <h2>
        {cluster.name} {cluster.name === cluster.id ? null : <span class="muted">({cluster.id})</span>}
      </h2>
      <p class="cluster-line">
        active: <b>{line && line.activeNodes.length > 0 ? line.activeNodes.join(', ') : 'none'}</b>
        {' · '}voters: {line?.voters ?? '—'}
        {' · '}failure tolerance: {line?.failureTolerance ?? '—'}
        {' · '}versions: {line && line.versions.length > 0 ? line.versions.join(', ') : '—'}
        {' · '}last sweep: {freshness.lastSweepAt ? <When iso={freshness.lastSweepAt} now={now} /> : 'never'}
      </p>
      <div class="nodes">
        {cluster.nodes.map((node) => {
          const c = STATE_COLORS[node.state];
          return (
            <div
              class={freshness.stale ? 'node stale' : 'node'}
              data-node={node.id}
              data-state={node.state}
              data-stale={String(freshness.stale)}
              style={`background:${c.background};color:${c.text}`}
            >
              <b>{node.id}</b>
              <small>
                {node.state}
                {freshness.stale ? <span class="tag"> · stale</span> : null}
              </small>
              {node.since ? (
                <small>
                  since <When iso={node.since} now={now} />
                </small>
              ) : null}
              {node.previousState && node.previousSince ? (
                <small data-transition={`${node.previousState}->${node.state}`}>
                  was {node.previousState} <When iso={node.previousSince} now={now} />
                  {node.changedBy === 'sealwatch' ? ' → unsealed by sealwatch' : ''}
                </small>
              ) : null}
              {node.version ? <small>Vault {node.version}</small> : null}
              {node.error ? <small>error: {node.error}</small> : null}
              <small class="muted-url">{node.url}</small>
            </div>
          );
        })}
      </div>
    </section>
  );
};

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

function summaryLine(view: DashboardView): string {
  const nodes = view.clusters.flatMap((c) => c.nodes);
  const sealed = nodes.filter((n) => n.state === 'sealed').length;
  const stale = view.clusters.filter((c) => c.freshness.stale).length;
  return `${count(view.clusters.length, 'cluster')}, ${count(nodes.length, 'node')}, ${sealed} sealed, ${count(view.incidents.length, 'open incident')}${stale > 0 ? `, ${stale} stale` : ''}`;
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
