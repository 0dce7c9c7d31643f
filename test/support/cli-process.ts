import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { SimulatedInitResult } from '../../shared/simulator/index.ts';

const BIN = fileURLToPath(new URL('../../functions/cli/bin.js', import.meta.url));

export interface CliRun {
  code: number;
  out: string;
  err: string;
}

/**
 * Runs `sealwatch ARGS` as its own process, the way an operator does: `node functions/cli/bin.js`,
 * with `env` added to the environment, `stdin` piped in. Each run is a fresh process, so nothing
 * survives between runs except what sealwatch wrote to its state.
 */
export function runSealwatch(args: readonly string[], options: { cwd: string; env?: Record<string, string>; stdin?: string; timeoutMs?: number }): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: options.cwd,
      env: { ...process.env, SEALWATCH_LOG_LEVEL: 'silent', ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (err += d.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, out, err });
    });
    child.stdin.end(options.stdin ?? '');
  });
}

/** The `vault operator init -format=json` text of a simulated cluster's init result. */
export function operatorInitJson(init: SimulatedInitResult, config: { shares: number; threshold: number }): string {
  const recovery = (init.recoveryKeys?.length ?? 0) > 0;
  return JSON.stringify({
    unseal_keys_b64: init.keysBase64,
    unseal_keys_hex: init.keys,
    unseal_shares: recovery ? 1 : config.shares,
    unseal_threshold: recovery ? 1 : config.threshold,
    ...(recovery
      ? {
          recovery_keys_b64: init.recoveryKeysBase64,
          recovery_keys_hex: init.recoveryKeys,
          recovery_keys_shares: config.shares,
          recovery_keys_threshold: config.threshold,
        }
      : {}),
    root_token: init.rootToken,
  });
}
