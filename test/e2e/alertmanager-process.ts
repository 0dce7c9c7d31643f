import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const ALERTMANAGER = '/usr/bin/prometheus-alertmanager';

/** Alertmanager is required in CI (`.ci/run` installs it); elsewhere its absence skips the test. */
export const alertmanagerSkipReason: string | null =
  existsSync(ALERTMANAGER) || process.env.CI
    ? null
    : `${ALERTMANAGER} is missing and CI is not set: skipping the Alertmanager end-to-end test (apt-get install prometheus-alertmanager)`;

export interface RunningAlertmanager {
  /** `http://127.0.0.1:PORT` */
  url: string;
  /** What the process wrote to stderr (its log), for failure messages. */
  log(): string;
  close(): Promise<void>;
}

export interface AlertmanagerOptions {
  /** The sealwatch receiver, e.g. `http://127.0.0.1:PORT/v1/hooks/alertmanager`. */
  webhookUrl: string;
  /** Bearer token Alertmanager sends (`http_config.authorization.credentials`). */
  token: string;
}

/**
 * Starts Debian's Alertmanager on loopback (no clustering, its own storage directory) with one
 * webhook receiver that also sends resolved notifications, grouping fast (1 s) so a test sees
 * deliveries within seconds. Resolves once `/-/ready` answers 200.
 */
export async function startAlertmanager(options: AlertmanagerOptions): Promise<RunningAlertmanager> {
  const dir = await mkdtemp(join(tmpdir(), 'sealwatch-am-'));
  // JSON is YAML: no YAML library needed, and the token is quoted correctly whatever it holds.
  const config = {
    route: { receiver: 'sealwatch', group_by: ['alertname', 'vault_cluster'], group_wait: '1s', group_interval: '1s', repeat_interval: '1h' },
    receivers: [
      {
        name: 'sealwatch',
        webhook_configs: [{ url: options.webhookUrl, send_resolved: true, http_config: { authorization: { credentials: options.token } } }],
      },
    ],
  };
  await writeFile(join(dir, 'am.yml'), JSON.stringify(config, null, 2), { mode: 0o600 });
  const port = await freePort();
  const child = spawn(
    ALERTMANAGER,
    [
      `--web.listen-address=127.0.0.1:${port}`,
      '--cluster.listen-address=',
      `--storage.path=${dir}`,
      `--config.file=${join(dir, 'am.yml')}`,
      '--log.level=info',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let log = '';
  // A missing binary (CI without the package) surfaces as this, not as an uncaught error event.
  child.once('error', (error) => {
    log += `\nspawn ${ALERTMANAGER} failed: ${error.message}`;
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    log = (log + chunk.toString('utf8')).slice(-20_000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const close = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await Promise.race([exited, delay(5_000).then(() => child.kill('SIGKILL'))]);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await waitReady(url, child, () => log);
  } catch (error) {
    await close();
    throw error;
  }
  return { url, log: () => log, close };
}

async function waitReady(url: string, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.pid === undefined) throw new Error(`alertmanager exited (${child.exitCode ?? 'not started'}):\n${log()}`);
    try {
      const res = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(1_000) });
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await delay(100);
  }
  throw new Error(`alertmanager not ready within 20 s:\n${log()}`);
}

/** An ephemeral loopback port (Alertmanager cannot report the one it picked for `:0`). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
