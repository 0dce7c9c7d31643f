// Deploy params derived from the bundled sealwatch config (osls `${file(...)}` source): cluster
// ids, seal-key / Vault-table / SNS / secret / parameter ARNs, and the node-discovery grants
// (EKS clusters, EC2 / Auto Scaling regions) for the IAM statements. The config
// is the one source of truth: a param given by hand (--param or params.<stage>) that names a
// different set is an error, never a silent widening. Runs infra/derive-params.ts (our own
// config loader and the comparison) once per packaging.
'use strict';
const { execFileSync } = require('node:child_process');
const path = require('node:path');

const NAMES = ['clusterIds', 'sealKeyArns', 'vaultTableArns', 'alertTopicArns', 'secretArns', 'ssmParameterArns', 'eksClusterArns', 'ec2DiscoveryRegions', 'autoScalingDiscoveryRegions'];
let derived;

module.exports = async ({ options, resolveVariable, resolveConfigurationProperty }) => {
  // Not cached when it fails: osls resolves in phases and asks again once `param:` is available.
  derived ??= derive(options, resolveVariable, resolveConfigurationProperty).catch((error) => {
    derived = undefined;
    throw error;
  });
  return derived;
};

async function derive(options, resolveVariable, resolveConfigurationProperty) {
  const serviceDir = path.resolve(__dirname, '..');
  const configFile = await resolveVariable('param:configFile');
  const region = await resolveVariable('self:provider.region');
  const stage = await resolveVariable('sls:stage');
  const given = { ...(await handParams(resolveConfigurationProperty, 'default')), ...(await handParams(resolveConfigurationProperty, stage)), ...cliParams(options.param) };
  const script = path.join(__dirname, 'derive-params.ts');
  const out = execFileSync(process.execPath, ['--import', 'tsx', script, configFile, region, JSON.stringify(given)], {
    cwd: serviceDir,
    encoding: 'utf8',
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  });
  const { params, problems } = JSON.parse(out.trim().split('\n').pop());
  if (problems.length > 0) throw new Error(`deploy params come from the bundled config ${configFile}:\n  ${problems.join('\n  ')}`);
  return Object.fromEntries(NAMES.map((name) => [name, params[name].join(',')]));
}

/** `--param="name=value"` from the command line (one string, or a list when repeated). */
function cliParams(param) {
  const list = [param].flat().filter((p) => typeof p === 'string' && p.includes('='));
  return Object.fromEntries(list.map((p) => [p.slice(0, p.indexOf('=')), p.slice(p.indexOf('=') + 1)]).filter(([k]) => NAMES.includes(k)));
}

async function handParams(resolveConfigurationProperty, block) {
  const values = (await resolveConfigurationProperty(['params', block])) ?? {};
  return Object.fromEntries(Object.entries(values).filter(([k]) => NAMES.includes(k)).map(([k, v]) => [k, String(v)]));
}
