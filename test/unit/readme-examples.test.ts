import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

// The configuration examples in the README are the fixtures the config tests load, so a README
// example that stops being valid (or drifts from what is tested) fails here.
const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const fixture = (name: string) => readFileSync(new URL(`../fixtures/config/${name}`, import.meta.url), 'utf8');

function yamlAfter(heading: string): string {
  const at = readme.indexOf(`\n${heading}\n`);
  if (at < 0) throw new Error(`README has no heading "${heading}"`);
  const match = /```yaml\n([\s\S]*?)```/.exec(readme.slice(at));
  if (!match?.[1]) throw new Error(`no yaml block after "${heading}"`);
  return match[1];
}

describe('README configuration examples', () => {
  it.each([
    ['### Example', 'example.yaml'],
    ['### Example: health checks, alerting and the API', 'example-health-alerts.yaml'],
  ])('%s is the tested fixture %s', (heading, file) => {
    expect(yamlAfter(heading).trim()).toBe(fixture(file).trim());
  });
});
