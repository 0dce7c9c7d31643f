import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { UsageError } from '../args.ts';

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const ARMOR_BEGIN = '-----BEGIN PGP PUBLIC KEY BLOCK-----';

/**
 * Reads custodians' PGP public keys for `sys/init` `pgp_keys`, which wants each key as base64 of
 * the binary key. A file may hold that base64, an ASCII-armored key (its body is exactly that
 * base64), or the binary key itself.
 */
export async function readPgpKeys(list: string, cwd: string): Promise<{ file: string; key: string }[]> {
  const files = list
    .split(',')
    .map((f) => f.trim())
    .filter((f) => f !== '');
  if (files.length === 0) throw new UsageError('--pgp-keys needs at least one file');
  return Promise.all(
    files.map(async (file) => {
      let content: Buffer;
      try {
        content = await readFile(resolve(cwd, file));
      } catch (error) {
        throw new UsageError(`--pgp-keys: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
      }
      const key = pgpKeyBase64(content);
      if (key === undefined) throw new UsageError(`--pgp-keys: ${file} holds no PGP public key (expected base64, ASCII armor or a binary key)`);
      return { file, key };
    }),
  );
}

/** Base64 of the binary key, or undefined when the content is none of the accepted forms. */
export function pgpKeyBase64(content: Buffer): string | undefined {
  // OpenPGP packets start with a tag byte whose high bit is set; text never does here.
  if (content.length > 0 && ((content[0] as number) & 0x80) !== 0) return content.toString('base64');
  const text = content.toString('utf8');
  if (text.includes(ARMOR_BEGIN)) return dearmor(text);
  const compact = text.replace(/\s+/g, '');
  return compact.length > 0 && BASE64.test(compact) ? compact : undefined;
}

/** The base64 body of an armored block: after the headers' blank line, before the `=` checksum. */
function dearmor(text: string): string | undefined {
  const lines = text.split(/\r?\n/).map((l) => l.trim());
  const begin = lines.indexOf(ARMOR_BEGIN);
  const blank = lines.indexOf('', begin);
  if (begin < 0 || blank < 0) return undefined;
  const body: string[] = [];
  for (const line of lines.slice(blank + 1)) {
    if (line.startsWith('=') || line.startsWith('-----END')) break;
    body.push(line);
  }
  const joined = body.join('');
  return joined.length > 0 && BASE64.test(joined) ? joined : undefined;
}
