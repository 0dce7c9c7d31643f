/**
 * Prints the deploy params derived from a sealwatch config as JSON (run by
 * infra/deploy-params.cjs during `npm run package`): `node --import tsx infra/derive-params.ts
 * CONFIG REGION [GIVEN_PARAMS_JSON]`; hand-given params that contradict the config are problems. The config is loaded as the Lambda functions load it, with the environment
 * the stack gives them (placeholders for the stack's own references), so a config that could
 * not load on Lambda fails the packaging instead of the first invocation.
 */
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { formatFor } from '../shared/config/load-config.ts';
import { compareParam, DEPLOY_PARAM_NAMES, deriveDeployParams } from '../shared/config/deploy-params.ts';
import { parseConfig, parseText } from '../shared/config/parse-config.ts';
import { ConfigError } from '../shared/errors.ts';

const [configPath = '', region = '', givenJson = '{}'] = process.argv.slice(2);
/** Params given by hand (`--param`, `params.<stage>`): each must name what the config names. */
const given = JSON.parse(givenJson) as Record<string, string>;
const path = resolve(configPath);
const text = await readFile(path, 'utf8');
const lambdaEnv = {
  AWS_REGION: region,
  SEALWATCH_CONFIG: configPath,
  SEALWATCH_STATE_TABLE: 'sealwatch-package-check',
  SEALWATCH_CUSTODY_KEY_ARN: `arn:aws:kms:${region}:000000000000:key/00000000-0000-0000-0000-000000000000`,
  SEALWATCH_WORK_QUEUE_URL: `https://sqs.${region}.amazonaws.com/000000000000/sealwatch-package-check`,
  SEALWATCH_LOG_LEVEL: 'info',
};
try {
  const config = parseConfig(text, { format: formatFor(path), baseDir: dirname(path), env: lambdaEnv, source: configPath });
  const raw = parseText(text, formatFor(path));
  const { params, problems } = deriveDeployParams(config, raw.ok ? raw.value : null, region);
  for (const name of DEPLOY_PARAM_NAMES) {
    const value = given[name];
    const contradiction = value === undefined ? null : compareParam(name, value, params[name]);
    if (contradiction) problems.push(`${contradiction} (the params are derived from the config: drop the param or fix the config)`);
  }
  process.stdout.write(`${JSON.stringify({ params, problems })}\n`);
} catch (error) {
  const problems = error instanceof ConfigError ? [error.message] : [`cannot read ${configPath}: ${error instanceof Error ? error.message : String(error)}`];
  process.stdout.write(`${JSON.stringify({ params: null, problems })}\n`);
}
