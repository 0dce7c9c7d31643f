import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// sealwatch supports Node 20 locally (Lambda runs 22); the AWS SDK's reminder would bury test output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

// Three projects: unit tests are pure and fast; integration tests start real servers
// (dynalite, the Vault simulator, KMS/Key Vault wire servers) on loopback; e2e tests drive real
// third-party programs (Alertmanager, Chromium) against sealwatch on loopback.
export default defineConfig({
  root: fileURLToPath(new URL('..', import.meta.url)),
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts', 'test/contract/**/*.test.ts'],
          environment: 'node',
          testTimeout: 30_000,
          hookTimeout: 30_000,
        },
      },
      {
        // Real peers installed by .ci/run: Debian's prometheus-alertmanager and headless Chromium.
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
