import type { ImportPlan, InitPlan, RewrapPlanResult } from '../../../shared/app/custody-service.ts';
import { describeRewrapAction } from '../../../shared/core/plan-custody-rewrap.ts';
import { describeCustodyAction, type CustodyWriteAction } from '../../../shared/core/plan-custody-write.ts';

// How `--dry-run` of `keys import`, `keys rewrap` and `init` prints a plan: one numbered line per
// action with its reason underneath. The plan names share indexes, wrapper ids, key ids and
// generations only; `--json` prints the same actions as data.

const NOTHING_DONE = 'dry run: no share or token was wrapped, sent or written';

export function formatImportPlan(p: ImportPlan): string {
  const lines = [
    NOTHING_DONE,
    `would ${p.replaces === null ? 'import' : `replace custody generation ${p.replaces} with`} ${p.shares} ${p.kind} share${p.shares === 1 ? '' : 's'} of cluster ${p.cluster} as generation ${p.generation} (threshold ${p.threshold} from ${p.thresholdSource})`,
    ...writeSteps(p.actions),
  ];
  if (p.rootToken === 'ignored') lines.push('root token: would be ignored (pass --store-root-token to keep it wrapped in custody)');
  return `${lines.join('\n')}\n`;
}

export function formatInitPlan(p: InitPlan): string {
  const lines = [
    NOTHING_DONE,
    `would initialise cluster ${p.cluster} through node ${p.node} (${p.sealType} seal): ${p.shares} ${p.kind} share${p.shares === 1 ? '' : 's'}, threshold ${p.threshold}${p.pgp ? ', PGP-encrypted for their custodians' : ''}`,
    p.actions.length === 0 ? 'then write nothing into custody' : `then, once Vault answers:`,
    ...writeSteps(p.actions),
    p.rootToken === 'stored' ? 'root token: would be stored, wrapped' : 'root token: would be shown once',
  ];
  return `${lines.join('\n')}\n`;
}

export function formatRewrapPlan(p: RewrapPlanResult): string {
  const lines = [
    NOTHING_DONE,
    `would rewrap ${p.actions.length} share${p.actions.length === 1 ? '' : 's'} of cluster ${p.cluster} (generation ${p.generation}) to ${p.to}`,
  ];
  for (const [i, a] of p.actions.entries()) lines.push(`  ${i + 1}. ${describeRewrapAction(a)}`, `     why: ${a.reason}`);
  return `${lines.join('\n')}\n`;
}

function writeSteps(actions: readonly CustodyWriteAction[]): string[] {
  return actions.flatMap((a, i) => [`  ${i + 1}. ${describeCustodyAction(a)}`, `     why: ${a.reason}`]);
}
