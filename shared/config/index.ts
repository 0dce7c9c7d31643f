// Public surface of the configuration module: entry points import from here.
export { loadConfig, resolveConfigPath, type LoadConfigOptions } from './load-config.ts';
export { parseConfig, type ConfigFormat, type ParseConfigOptions } from './parse-config.ts';
export { CONFIG_DEFAULTS } from './build-config.ts';
export { decodeKeyText } from './key-text.ts';
export { Secret, DEFAULT_SECRET_TTL_MS, type LazySecretOptions } from './secret.ts';
export type { RemoteSecretReference, RemoteSecretResolver } from './references.ts';
export { parseDuration, formatDuration } from './fields.ts';
export type * from './types.ts';
