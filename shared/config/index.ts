// Public surface of the configuration module: entry points import from here.
export { loadConfig, resolveConfigPath, type LoadConfigOptions } from './load-config.ts';
export { parseConfig, type ConfigFormat, type ParseConfigOptions } from './parse-config.ts';
export { CONFIG_DEFAULTS } from './build-config.ts';
export { decodeKeyText } from './key-text.ts';
export { Secret } from './secret.ts';
export type * from './types.ts';
