import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export interface FleetCluster {
  id: string;
  caPem: string | null;
  nodes: { id: string; url: string }[];
}

/** Starts the simulated fleet in a child process (the other core) and waits for its address list. */
export async function spawnFleet(options: { clusters: number; nodesPerCluster: number; tls: boolean }): Promise<{
  clusters: FleetCluster[];
  child: ChildProcess;
  stop(): Promise<void>;
}> {
  const script = fileURLToPath(new URL('./sim-fleet-server.ts', import.meta.url));
  const child = spawn(
    process.execPath,
    [
      ...(process.env.SIM_PROF ? ['--cpu-prof', '--cpu-prof-dir=' + process.env.SIM_PROF] : []),
      '--import',
      'tsx',
      script,
      '--clusters',
      String(options.clusters),
      '--nodes',
      String(options.nodesPerCluster),
      '--tls',
      String(options.tls),
    ],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const line = await new Promise<string>((resolve, reject) => {
    const rl = createInterface({ input: child.stdout! });
    rl.once('line', (l) => {
      rl.close();
      resolve(l);
    });
    child.once('exit', (code) => reject(new Error(`simulator fleet exited early (code ${code})`)));
  });
  const { clusters } = JSON.parse(line) as { clusters: FleetCluster[] };
  return {
    clusters,
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
