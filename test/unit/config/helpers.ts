import { ConfigError, type ConfigProblem } from '../../../shared/errors.ts';
import { parseConfig } from '../../../shared/config/parse-config.ts';
import type { SealwatchConfig } from '../../../shared/config/types.ts';

export const BASE_DIR = '/etc/sealwatch';

/** A CA certificate in PEM (test-only, no private key kept). */
export const CA_PEM = `-----BEGIN CERTIFICATE-----
MIIBjzCCATWgAwIBAgIUOMzhPBFiu661wPEaH0PpiI4adx8wCgYIKoZIzj0EAwIw
HDEaMBgGA1UEAwwRc2VhbHdhdGNoLXRlc3QtY2EwIBcNMjYxMTIyMTUwNDQxWhgP
MjEyNjEwMjkxNTA0NDFaMBwxGjAYBgNVBAMMEXNlYWx3YXRjaC10ZXN0LWNhMFkw
EwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEpB+IcMF2FM0+sUEfbGv2zdZpQJah6AIl
yoRQ8c9LLdUhMzDCMVFQnUvwuk9BiqnlnQKNQpbF2n+fb3n/KR7R0KNTMFEwHQYD
VR0OBBYEFEoFYSwhojOCmuTC5YxTAuSeu76FMB8GA1UdIwQYMBaAFEoFYSwhojOC
muTC5YxTAuSeu76FMA8GA1UdEwEB/wQFMAMBAf8wCgYIKoZIzj0EAwIDSAAwRQIg
VL7Ybrj5nsRaK2n0+kxdiEt65nHWjV1MDoyH+sfSuIsCIQDEx5asGujm/3hroHS7
6ym+jzNAagW7jePfNXvhuVZXxQ==
-----END CERTIFICATE-----
`;

export interface ParseInput {
  env?: Record<string, string | undefined>;
  /** Files by path relative to BASE_DIR. */
  files?: Record<string, string>;
  format?: 'yaml' | 'json';
}

/** parseConfig over an in-memory directory; objects are sent as JSON, strings as given. */
export function parse(input: string | object, options: ParseInput = {}): SealwatchConfig {
  const files = new Map(Object.entries(options.files ?? {}).map(([name, text]) => [`${BASE_DIR}/${name}`, text]));
  const text = typeof input === 'string' ? input : JSON.stringify(input);
  return parseConfig(text, {
    format: options.format ?? (typeof input === 'string' ? 'yaml' : 'json'),
    baseDir: BASE_DIR,
    env: options.env ?? {},
    readFile: (path) => files.get(path),
  });
}

/** The problems parseConfig reports; fails the test when the config is accepted. */
export function problemsOf(input: string | object, options: ParseInput = {}): ConfigProblem[] {
  try {
    parse(input, options);
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  throw new Error('expected a ConfigError, but the configuration was accepted');
}

/** Smallest valid configuration: one cluster, one https node. */
export function minimal(): { clusters: Record<string, unknown>[]; [key: string]: unknown } {
  return { clusters: [{ id: 'prod', nodes: [{ id: 'vault-0', url: 'https://10.0.0.1:8200' }] }] };
}
