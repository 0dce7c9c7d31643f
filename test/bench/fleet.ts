import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export interface FleetCluster {
  id: string;
  caPem: string | null;
  nodes: { id: string; url: string }[];
}

/** Starts `script` (a .ts file beside this one) as a child process and waits for its first stdout line. */
export async function spawnChild(
  script: string,
  args: string[],
  extraNodeArgs: string[] = [],
): Promise<{ line: string; child: ChildProcess; stop(): Promise<void> }> {
  const child = spawn(process.execPath, [...extraNodeArgs, '--import', 'tsx', fileURLToPath(new URL(script, import.meta.url)), ...args], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const line = await new Promise<string>((resolve, reject) => {
    const rl = createInterface({ input: child.stdout! });
    rl.once('line', (l) => {
      rl.close();
      resolve(l);
    });
    child.once('exit', (code) => reject(new Error(`${script} exited early (code ${code})`)));
  });
  return {
    line,
    child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.stdin?.end();
        setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
      }),
  };
}

/** Starts the simulated fleet in a child process (the other core) and waits for its address list. */
export async function spawnFleet(options: { clusters: number; nodesPerCluster: number; tls: boolean }): Promise<{
  clusters: FleetCluster[];
  child: ChildProcess;
  stop(): Promise<void>;
}> {
  const { line, child, stop } = await spawnChild(
    './sim-fleet-server.ts',
    ['--clusters', String(options.clusters), '--nodes', String(options.nodesPerCluster), '--tls', String(options.tls)],
    process.env.SIM_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.SIM_PROF}`] : [],
  );
  const { clusters } = JSON.parse(line) as { clusters: FleetCluster[] };
  return { clusters, child, stop };
}
