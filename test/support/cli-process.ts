import { spawn, type ChildProcess } from 'node:child_process';
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
export function runSealwatch(
  args: readonly string[],
  options: { cwd: string; env?: Record<string, string>; stdin?: string; timeoutMs?: number },
): Promise<CliRun> {
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

// Variants that keep the signal and a minimal environment (no VAULT_* or AWS_* of the test's own),
// and a long-running command (serve) that can be waited on and stopped.

export interface CliProcessRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliProcessOptions {
  cwd: string;
  /** Added to a minimal environment (PATH, HOME; no VAULT_* or AWS_* from the test's own). */
  env?: Record<string, string>;
  stdin?: string;
  timeoutMs?: number;
}

function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/tmp',
    NODE_EXTRA_CA_CERTS: process.env.NODE_EXTRA_CA_CERTS ?? '',
    SEALWATCH_LOG_LEVEL: 'warn',
    ...extra,
  };
}

/** Runs one command to its end. */
export function runCliProcess(args: readonly string[], options: CliProcessOptions): Promise<CliProcessRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: options.cwd, env: childEnv(options.env), stdio: 'pipe' });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
    child.stdin.end(options.stdin ?? '');
  });
}

/** A long-running command (serve): its output so far, a wait for a line, and a stop. */
export interface CliDaemon {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the first match of `pattern` on stderr+stdout, or rejects after `timeoutMs`. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** SIGTERM (or `signal`) and wait for the exit. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function startCliProcess(args: readonly string[], options: CliProcessOptions): CliDaemon {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: options.cwd, env: childEnv(options.env), stdio: 'pipe' });
  let out = '';
  let err = '';
  const listeners = new Set<() => void>();
  const notify = () => {
    for (const l of listeners) l();
  };
  child.stdout?.on('data', (d: Buffer) => ((out += d.toString()), notify()));
  child.stderr?.on('data', (d: Buffer) => ((err += d.toString()), notify()));
  child.stdin?.end(options.stdin ?? '');
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => {
      notify();
      resolve({ code, signal });
    }),
  );
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    waitFor(pattern, timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const match = (err + out).match(pattern);
          if (match) return done(() => resolve(match));
          if (child.exitCode !== null || child.signalCode !== null) {
            done(() => reject(new Error(`process exited (${child.exitCode ?? child.signalCode}) before ${pattern}:\n${err}\n${out}`)));
          }
        };
        const timer = setTimeout(() => done(() => reject(new Error(`no ${pattern} within ${timeoutMs} ms:\n${err}\n${out}`))), timeoutMs);
        const done = (fn: () => void) => {
          clearTimeout(timer);
          listeners.delete(check);
          fn();
        };
        listeners.add(check);
        check();
      });
    },
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
