// Child process of bench:sweep: hosts the embedded state store over `--path`, as `sealwatch serve`
// does for other sealwatch processes, and prints one line once it does. The sweep then joins it
// over loopback, so the store's server side (dynalite, LevelDB) runs outside the measured process,
// as DynamoDB does for a Lambda sweep. Runs until its stdin closes.
import { parseArgs } from 'node:util';
import { createEmbeddedStateStore } from '../../shared/adapters/embedded-dynamo.ts';
import { systemClock } from '../../shared/adapters/system-clock.ts';

const { values } = parseArgs({ options: { path: { type: 'string' } } });
if (!values.path) throw new Error('--path is required');
const store = await createEmbeddedStateStore({ path: values.path, clock: systemClock, host: true });
await warmUp();
process.stdout.write('{"hosting":true}\n');

/**
 * A store server that has been running a while, as DynamoDB is: the request kinds a sweep makes
 * are run a few times first, so the first measured sweep does not pay for dynalite's code being
 * compiled. Everything is written under `WARMUP#` partitions, which nothing in sealwatch reads,
 * and deleted again.
 */
async function warmUp(): Promise<void> {
  const data = { nodes: Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`vault-${i}`, { state: 'standby', since: 0, version: '1.19.0' }])) };
  for (let round = 0; round < 3; round += 1) {
    const items = Array.from({ length: 200 }, (_, i) => ({ pk: `WARMUP#${i}`, sk: 'STATE', data }));
    await store.putMany(items);
    await store.getMany(items.map(({ pk, sk }) => ({ pk, sk })));
    await store.putMany(items.map((item, i) => ({ ...item, pk: 'WARMUP#all', sk: `ITEM#${i}` })));
    for (let cursor: string | undefined, first = true; first || cursor !== undefined; first = false) {
      const page = await store.query({ pk: 'WARMUP#all', ...(cursor === undefined ? {} : { cursor }) });
      cursor = page.cursor;
    }
    for (let i = 0; i < 20; i += 1) {
      await store.put({ pk: 'WARMUP#one', sk: 'LEASE', data, condition: { kind: 'absent-or-expired', nowSeconds: Math.floor(Date.now() / 1000) } });
      await store.get('WARMUP#one', 'LEASE');
      await store.delete('WARMUP#one', 'LEASE');
    }
    for (const { pk, sk } of items) await store.delete(pk, sk);
    for (let i = 0; i < 200; i += 1) await store.delete('WARMUP#all', `ITEM#${i}`);
  }
}
process.stdin.resume();
process.stdin.on('end', async () => {
  await store.close();
  process.exit(0);
});
