/**
 * Cold-start budget of the Lambda bundles: `npm run bench:coldstart -- --json`.
 *
 * Packages the service with osls (offline) into a temp dir, then for each function reports the
 * zip size and the time to `import()` its bundled handler in a fresh `node` process with the
 * network disabled (median of 3). Exits 1 when a function misses a target.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { readZip } from '../support/zip-reader.ts';
import { median } from './median.ts';

const TARGETS = { zipBytes: 1_572_864, initMs: 300 };
const RUNS = 3;
const root = fileURLToPath(new URL('../..', import.meta.url));
const json = process.argv.includes('--json');

// Any socket at import time is a bug (module init must not call AWS, Azure or Vault).
const NO_NETWORK = `
import net from 'node:net';
net.Socket.prototype.connect = function () { throw new Error('network disabled during cold-start measurement'); };
`;

interface FunctionResult {
  name: string;
  zipBytes: number;
  initMs: number;
  /** CPU time of the import (user + system, all threads): what a loaded machine does not inflate. */
  cpuMs: number;
  runsMs: number[];
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'sealwatch-coldstart-'));
  try {
    const out = join(work, 'package');
    await packageService(out);
    const template = JSON.parse(readFileSync(join(out, 'cloudformation-template-update-stack.json'), 'utf8')) as {
      Resources: Record<string, { Type: string; Properties: { FunctionName?: string; Handler?: string; Code?: { S3Key?: string } } }>;
    };
    const preload = join(work, 'no-network.mjs');
    writeFileSync(preload, NO_NETWORK);
    const functions: FunctionResult[] = [];
    for (const resource of Object.values(template.Resources)) {
      if (resource.Type !== 'AWS::Lambda::Function') continue;
      const zipName = resource.Properties.Code?.S3Key?.split('/').pop() ?? '';
      const name = zipName.replace(/\.zip$/, '');
      const zipPath = join(out, zipName);
      const dir = join(work, 'fn', name);
      extractZip(readFileSync(zipPath), dir);
      const handler = resource.Properties.Handler ?? '';
      const modulePath = join(dir, `${handler.slice(0, handler.lastIndexOf('.'))}.mjs`);
      const runs: { wallMs: number; cpuMs: number }[] = [];
      for (let i = 0; i < RUNS; i += 1) runs.push(await timeImport(modulePath, dir, preload));
      const runsMs = runs.map((r) => r.wallMs);
      functions.push({ name, zipBytes: statSync(zipPath).size, initMs: round(median(runsMs)), cpuMs: round(median(runs.map((r) => r.cpuMs))), runsMs });
    }
    functions.sort((a, b) => a.name.localeCompare(b.name));
    const ok = functions.length > 0 && functions.every((f) => f.zipBytes <= TARGETS.zipBytes && f.initMs <= TARGETS.initMs);
    const result = { functions: functions.map(({ name, zipBytes, initMs, cpuMs }) => ({ name, zipBytes, initMs, cpuMs })), targets: TARGETS, ok };
    if (json) process.stdout.write(`${JSON.stringify(result)}\n`);
    else {
      for (const f of functions) {
        process.stdout.write(
          `${f.name.padEnd(8)} zip ${(f.zipBytes / 1024).toFixed(0).padStart(5)} KB   init ${f.initMs.toFixed(0).padStart(4)} ms  cpu ${f.cpuMs.toFixed(0).padStart(4)} ms  (runs ${f.runsMs.map((r) => r.toFixed(0)).join(', ')})\n`,
        );
      }
      process.stdout.write(`targets: zip <= ${TARGETS.zipBytes} bytes, init <= ${TARGETS.initMs} ms: ${ok ? 'ok' : 'MISSED'}\n`);
    }
    process.exitCode = ok ? 0 : 1;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

async function packageService(out: string): Promise<void> {
  // No credentials and a profile that does not exist: packaging must never need AWS.
  const env = {
    ...process.env,
    AWS_ACCESS_KEY_ID: '',
    AWS_SECRET_ACCESS_KEY: '',
    AWS_PROFILE: 'sealwatch-none',
    SLS_TELEMETRY_DISABLED: '1',
    SEALWATCH_ESBUILD_WORK_FOLDER: `.esbuild/coldstart-${process.pid}`,
  };
  await promisify(execFile)(join(root, 'node_modules/.bin/osls'), ['package', '--package', out], { cwd: root, env, timeout: 180_000 });
}

/** Milliseconds to import the module in a fresh process, as the Lambda runtime would (cwd = task root). */
function timeImport(modulePath: string, cwd: string, preload: string): Promise<{ wallMs: number; cpuMs: number }> {
  const script =
    `const c = process.cpuUsage(); const t = performance.now(); await import(${JSON.stringify(pathToFileURL(modulePath).href)}); ` +
    `const wall = performance.now() - t; const u = process.cpuUsage(c); process.stdout.write(JSON.stringify([wall, (u.user + u.system) / 1000]));`;
  const env = {
    PATH: process.env.PATH ?? '',
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'coldstart',
    AWS_SECRET_ACCESS_KEY: 'coldstart',
    AWS_EC2_METADATA_DISABLED: 'true',
    SEALWATCH_CONFIG: 'infra/sealwatch.lambda.yaml',
    SEALWATCH_STATE_TABLE: 'sealwatch-coldstart',
    SEALWATCH_LOG_LEVEL: 'silent',
  };
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', pathToFileURL(preload).href, '--input-type=module', '-e', script], {
      cwd,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      let measured: unknown;
      try {
        measured = JSON.parse(stdout.trim());
      } catch {
        measured = null;
      }
      const [wallMs, cpuMs] = Array.isArray(measured) ? (measured as number[]) : [];
      if (code !== 0 || !Number.isFinite(wallMs) || !Number.isFinite(cpuMs))
        reject(new Error(`importing ${modulePath} failed (exit ${code}): ${stderr.slice(0, 2000)}`));
      else resolve({ wallMs: wallMs as number, cpuMs: cpuMs as number });
    });
  });
}

function extractZip(zip: Buffer, dir: string): void {
  for (const [name, data] of readZip(zip)) {
    const target = join(dir, name);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, data);
  }
}

const round = (ms: number) => Math.round(ms * 10) / 10;

await main();
