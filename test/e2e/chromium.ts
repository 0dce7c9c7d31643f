import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const CHROMIUM = '/usr/bin/chromium';

/** Chromium is required in CI (`.ci/run` installs it); elsewhere its absence skips the test. */
export const chromiumSkipReason: string | null =
  existsSync(CHROMIUM) || process.env.CI ? null : `${CHROMIUM} is missing and CI is not set: skipping the dashboard screenshot test (apt-get install chromium)`;

const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--hide-scrollbars',
  '--window-size=1280,800',
];

/**
 * Runs headless Chromium once on `url` with `action` (`--dump-dom` or `--screenshot=FILE`) in a
 * throwaway profile. Resolves with stdout (the DOM for `--dump-dom`).
 */
export async function runChromium(action: string, url: string, timeoutMs = 45_000): Promise<string> {
  const profile = await mkdtemp(join(tmpdir(), 'sealwatch-chromium-'));
  try {
    return await new Promise<string>((resolve, reject) => {
      execFile(
        CHROMIUM,
        [...FLAGS, `--user-data-dir=${profile}`, action, url],
        { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024, killSignal: 'SIGKILL' },
        (error, stdout, stderr) => {
          if (error) reject(new Error(`chromium ${action} failed: ${error.message}\n${stderr.slice(-2000)}`));
          else resolve(stdout);
        },
      );
    });
  } finally {
    await rm(profile, { recursive: true, force: true });
  }
}

/** Width and height from a PNG's IHDR chunk, or null when `bytes` is not a PNG. */
export function pngSize(bytes: Buffer): { width: number; height: number } | null {
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  if (bytes.length < 24 || !bytes.subarray(0, 8).equals(signature) || bytes.toString('latin1', 12, 16) !== 'IHDR') return null;
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}
