import type { ImportResult } from '../../../shared/app/custody-service.ts';
import { UsageError, defineCommand, parseIntOption } from '../args.ts';
import type { CliCommand } from '../io.ts';
import { formatImportPlan } from './keys-plan.ts';
import { table, withCustody, type CustodyCommandDeps } from './keys-runtime.ts';

const USAGE = `usage: sealwatch keys import --cluster ID [--threshold T] [--replace [--rekeyed]] [--store-root-token]
                            [--force] [--dry-run] [--config FILE] [--json]  < init.json

Reads on stdin the output of \`vault operator init -format=json\` (or a sys/init answer),
checks the shares and puts each one, encrypted under its wrapper (clusters[].custody), into
custody. Shares never appear on the command line or in any output.

Checks before anything is written: share lengths and x-coordinates; hex and base64 forms agree;
every threshold-sized subset rebuilds the same key (all subsets up to 5000, else a complete
deterministic cover); the cluster's nodes report the same seal kind, threshold and share count.

  --cluster ID         the configured cluster
  --threshold T        needed only when the input has no threshold (sys/init answers) and no
                       node answers; otherwise cross-checked
  --replace            overwrite existing custody (generation + 1, surplus shares deleted);
                       refused when the shares rebuild a different key than the stored custody
  --rekeyed            with --replace: the cluster was rekeyed (\`vault operator rekey\`), so a
                       different key is expected
  --store-root-token   keep the root token too, wrapped (default: it is ignored)
  --force              import even when no node answers (the node cross-check is skipped;
                       a node that answers and disagrees is never overridden)
  --dry-run            make every check and print the plan of custody writes (share indexes,
                       wrappers, generation, deletions, each with its reason) without wrapping
                       or writing anything; refused exactly where the import would be
  --config FILE        configuration (default: $SEALWATCH_CONFIG, then ./sealwatch.yaml)
  --json               print the result (or the plan) as JSON

The writes go in one order: shares, surplus shares deleted, root token, then the custody
metadata last, so new custody is readable only once complete; then the unseal blocks of the
replaced generation are lifted. Under the cluster lease, checked before every write.

Exit status: 0 when stored (or planned), 1 otherwise (nothing is written unless every check passed).`;

/** `sealwatch keys import`. */
export function createKeysImportCommand(deps: CustodyCommandDeps = {}): CliCommand {
  return defineCommand({
    name: 'keys import',
    usage: USAGE,
    options: {
      cluster: { type: 'string' },
      threshold: { type: 'string' },
      replace: { type: 'boolean' },
      rekeyed: { type: 'boolean' },
      'store-root-token': { type: 'boolean' },
      force: { type: 'boolean' },
      'dry-run': { type: 'boolean' },
      config: { type: 'string' },
      json: { type: 'boolean' },
    },
    async run({ values }, io) {
      if (!values.cluster) throw new UsageError(`--cluster is required\n\n${USAGE}`);
      if (values.rekeyed && !values.replace)
        throw new UsageError(`--rekeyed goes with --replace (it allows replacing custody with the shares of a new key)\n\n${USAGE}`);
      const threshold = parseIntOption(values.threshold, 'threshold', 1, 255);
      const input = await io.readStdin();
      if (input.trim() === '')
        throw new UsageError(`nothing on stdin: pipe the init output in, e.g. \`sealwatch keys import --cluster ${values.cluster} < init.json\``);
      const clusterId = values.cluster;
      const request = {
        clusterId,
        input,
        ...(threshold === undefined ? {} : { threshold }),
        replace: values.replace === true,
        rekeyed: values.rekeyed === true,
        storeRootToken: values['store-root-token'] === true,
        force: values.force === true,
      };
      return await withCustody(io, deps, values.config, async (service) => {
        if (values['dry-run']) {
          const plan = await service.planImport(request);
          io.stdout(values.json ? `${JSON.stringify(plan, null, 2)}\n` : formatImportPlan(plan));
          for (const warning of plan.warnings) io.stderr(`warning: ${warning}\n`);
          return 0;
        }
        const result = await service.importShares(request);
        io.stdout(values.json ? `${JSON.stringify(result, null, 2)}\n` : formatImport(result));
        for (const warning of result.warnings) io.stderr(`warning: ${warning}\n`);
        return 0;
      });
    },
  });
}

export function formatImport(r: ImportResult): string {
  const lines = [
    `${r.replaced ? 'replaced custody with' : 'imported'} ${r.shares} ${r.kind} share${r.shares === 1 ? '' : 's'} of cluster ${r.cluster} (threshold ${r.threshold} from ${r.thresholdSource}, generation ${r.generation})`,
    table([['SHARE', 'WRAPPER', 'KEY'], ...r.stored.map((s) => [String(s.index), s.wrapper, s.keyId])]),
  ];
  const c = r.consistency;
  if (r.shares === 1) lines.push('check: 1-of-1 key, nothing to combine');
  else {
    const of = c.subsetsTotal === null ? 'a complete cover of' : `all ${c.subsetsTotal}`;
    lines.push(`check: ${of} threshold subsets (${c.subsetsChecked} combined) rebuild the same key`);
  }
  for (const node of r.nodes) {
    lines.push(
      node.reachable
        ? `node ${node.node}: ${node.initialized ? `initialized, ${node.type}, t=${node.t} n=${node.n}` : 'not initialized'}`
        : `node ${node.node}: no answer (${node.error ?? 'unknown'})`,
    );
  }
  if (r.removed.length > 0) lines.push(`removed shares of the replaced custody: ${r.removed.join(', ')}`);
  lines.push(
    r.rootToken === 'stored'
      ? 'root token: stored, wrapped'
      : r.rootToken === 'ignored'
        ? 'root token: ignored, not stored (pass --store-root-token to keep it wrapped in custody)'
        : 'root token: none in the input',
  );
  return `${lines.join('\n')}\n`;
}
