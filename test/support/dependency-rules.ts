import { builtinModules } from 'node:module';
import type { ImportEdge } from './import-graph.ts';

// The dependency rule of sealwatch (README, Architecture), as data. `shared/core` is pure domain
// logic importing only core; `shared/ports` are interfaces over core types; both may use a few
// pure packages.
// Adapters (SDKs, HTTP) implement ports and never reach up into app/ or api/; the API reaches
// adapters only through what the runtime injects; every entry point under functions/ stands alone.

export type Layer = 'core' | 'ports' | 'adapters' | 'app' | 'api' | 'other';

export function layerOf(path: string): Layer {
  const match = /^shared\/(core|ports|adapters|app|api)\//.exec(path);
  return (match?.[1] as Layer | undefined) ?? 'other';
}

/** functions/<name>/… → name; undefined outside functions/. */
export function entryPointOf(path: string): string | undefined {
  return /^functions\/([^/]+)\//.exec(path)?.[1];
}

/**
 * Packages core and ports may use, and which of their exports. Each is deterministic computation
 * with no I/O, clock or randomness, so a core function stays a function of its arguments:
 * - node:crypto HMAC, hashing and constant-time comparison: share fingerprints
 *   (share-validation.ts) and Standard Webhooks signatures (standard-webhooks.ts) are pure
 *   functions of their inputs; `randomBytes`, `randomUUID` and key generation are not allowed.
 * - shamir-secret-sharing `combine`: GF(256) interpolation over the shares given (Vault's
 *   `shamir/shamir.go` Combine); `split` draws randomness and is not allowed.
 */
export const PURE_PACKAGES: ReadonlyMap<string, ReadonlySet<string>> = new Map([
  ['node:crypto', new Set(['createHash', 'createHmac', 'timingSafeEqual'])],
  ['shamir-secret-sharing', new Set(['combine'])],
]);

export interface Violation {
  readonly rule: string;
  readonly detail: string;
}

function where(edge: ImportEdge): string {
  return `${edge.from}:${edge.line} imports '${edge.specifier}'`;
}

function isBuiltin(specifier: string): boolean {
  return specifier.startsWith('node:') || builtinModules.includes(specifier.split('/')[0]!);
}

/** Every breach of the layer and entry-point rules, one per offending import. */
export function layerViolations(edges: readonly ImportEdge[]): Violation[] {
  const violations: Violation[] = [];
  for (const edge of edges) {
    const from = layerOf(edge.from);
    const to = edge.to === null ? null : layerOf(edge.to);
    if (from === 'core' || from === 'ports') {
      if (edge.to === null) {
        const allowed = PURE_PACKAGES.get(edge.specifier);
        const names = edge.names.length === 0 ? ['(whole module)'] : edge.names;
        const extra = allowed === undefined ? names : names.filter((name) => !allowed.has(name));
        if (extra.length > 0) {
          const what = isBuiltin(edge.specifier) ? 'a Node built-in' : 'a package';
          violations.push({ rule: `${from} is pure`, detail: `${where(edge)}: ${what} (${extra.join(', ')}) outside the pure list` });
        }
      } else if (from === 'core' && to !== 'core') {
        // Ports use domain types; the domain never depends on a port (no core ↔ ports cycle).
        violations.push({ rule: 'core is pure', detail: `${where(edge)}: ${edge.to} is outside core` });
      } else if (to !== 'core' && to !== 'ports') {
        violations.push({ rule: `${from} is pure`, detail: `${where(edge)}: ${edge.to} is outside core/ports` });
      }
    }
    if (from === 'adapters' && (to === 'app' || to === 'api')) {
      violations.push({ rule: 'adapters implement ports', detail: `${where(edge)}: adapters must not depend on ${to}/` });
    }
    if (from === 'api' && (to === 'adapters' || edge.to?.startsWith('shared/runtime/'))) {
      // The runtime composes adapters: importing it would reach them by the back door.
      violations.push({ rule: 'api receives adapters', detail: `${where(edge)}: inject it instead (values and types alike)` });
    }
    if (edge.to !== null && edge.to.startsWith('functions/')) {
      const source = entryPointOf(edge.from);
      const target = entryPointOf(edge.to);
      if (source === undefined) {
        violations.push({ rule: 'entry points stand alone', detail: `${where(edge)}: shared code must not import an entry point` });
      } else if (target !== source) {
        violations.push({ rule: 'entry points stand alone', detail: `${where(edge)}: functions/${source} must not import functions/${target}` });
      }
    }
  }
  return violations;
}

export interface ImportCycle {
  /** Every file of one strongly connected component, sorted. */
  readonly files: readonly string[];
  /** One shortest cycle through its first file, ending where it starts. */
  readonly example: readonly string[];
}

/** The import cycles: each group of files that reach each other, with one cycle as an example. */
export function importCycles(edges: readonly ImportEdge[]): ImportCycle[] {
  const next = new Map<string, Set<string>>();
  for (const edge of edges) {
    if (edge.to === null) continue;
    if (!next.has(edge.from)) next.set(edge.from, new Set());
    next.get(edge.from)!.add(edge.to);
  }
  const cycles: ImportCycle[] = [];
  for (const component of stronglyConnected(next)) {
    const files = [...component].sort();
    const start = files[0]!;
    if (files.length === 1 && !next.get(start)?.has(start)) continue;
    cycles.push({ files, example: shortestCycle(start, next, new Set(files)) });
  }
  return cycles.sort((a, b) => a.files[0]!.localeCompare(b.files[0]!));
}

function stronglyConnected(next: ReadonlyMap<string, ReadonlySet<string>>): string[][] {
  // Tarjan's algorithm, iterative so a deep import chain cannot overflow the stack.
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: string[][] = [];
  let counter = 0;
  for (const root of next.keys()) {
    if (index.has(root)) continue;
    const work: Array<{ node: string; targets: Iterator<string> }> = [];
    const visit = (node: string) => {
      index.set(node, counter);
      low.set(node, counter);
      counter += 1;
      stack.push(node);
      onStack.add(node);
      work.push({ node, targets: (next.get(node) ?? new Set<string>()).values() });
    };
    visit(root);
    while (work.length > 0) {
      const frame = work[work.length - 1]!;
      const step = frame.targets.next();
      if (!step.done) {
        const target = step.value;
        if (!index.has(target)) visit(target);
        else if (onStack.has(target)) low.set(frame.node, Math.min(low.get(frame.node)!, index.get(target)!));
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.node, Math.min(low.get(parent.node)!, low.get(frame.node)!));
      if (low.get(frame.node) === index.get(frame.node)) {
        const component: string[] = [];
        let member: string;
        do {
          member = stack.pop()!;
          onStack.delete(member);
          component.push(member);
        } while (member !== frame.node);
        components.push(component);
      }
    }
  }
  return components;
}

function shortestCycle(start: string, next: ReadonlyMap<string, ReadonlySet<string>>, members: ReadonlySet<string>): string[] {
  const cameFrom = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const node = queue.shift()!;
    for (const target of next.get(node) ?? []) {
      if (!members.has(target)) continue;
      if (target === start) {
        const path = [node];
        while (path[0] !== start) path.unshift(cameFrom.get(path[0]!)!);
        return [...path, start];
      }
      if (!cameFrom.has(target)) {
        cameFrom.set(target, node);
        queue.push(target);
      }
    }
  }
  return [start, start];
}
