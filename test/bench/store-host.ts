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
process.stdout.write('{"hosting":true}\n');
process.stdin.resume();
process.stdin.on('end', async () => {
  await store.close();
  process.exit(0);
});
