import { describe, expect, it } from 'vitest';
import { createMemoryStateStore } from '../../../shared/adapters/memory-state-store.ts';
import { createCustodyRepository } from '../../../shared/app/custody-repository.ts';
import { createVaultTokenSource } from '../../../shared/app/vault-token.ts';
import { tokenContext } from '../../../shared/core/custody-types.ts';
import { NotFoundError } from '../../../shared/errors.ts';
import { randomLocalWrapper } from '../../support/custody-fixture.ts';
import { FakeClock } from '../../support/fake-clock.ts';
import { countingStore } from '../../../shared/app/counting-store.ts';

const TOKEN = 'hvs.CAESIJ-example-control-token';

function setup() {
  const clock = new FakeClock();
  const store = countingStore(createMemoryStateStore({ clock }));
  const custody = createCustodyRepository(store);
  const wrapper = randomLocalWrapper('local-1');
  let unwraps = 0;
  const counted = {
    ...wrapper,
    id: wrapper.id,
    kind: wrapper.kind,
    wrap: wrapper.wrap.bind(wrapper),
    health: wrapper.health.bind(wrapper),
    unwrap: (...args: Parameters<typeof wrapper.unwrap>) => ((unwraps += 1), wrapper.unwrap(...args)),
  };
  const wrappers = { get: (id: string) => (id === 'local-1' ? counted : undefined), ids: () => ['local-1'] };
  const tokens = createVaultTokenSource({ custody, wrappers, clock, custodyCacheMs: 60_000 });
  return { clock, store, custody, wrapper, tokens, unwraps: () => unwraps };
}

const cluster = { id: 'prod', auth: { kind: 'token' as const } };
const signal = () => AbortSignal.timeout(5_000);

describe('vault token source (custody)', () => {
  it('stores the token wrapped with the token context, never in clear', async () => {
    const { store, custody, wrapper, tokens } = setup();
    expect(await tokens.store(cluster, `${TOKEN}\n`)).toEqual({ wrapper: 'local-1' });
    const item = await custody.token('prod', 'control');
    expect(JSON.stringify(item)).not.toContain(TOKEN);
    const plain = await wrapper.unwrap(item?.data as never, tokenContext('prod', 'control'));
    expect(new TextDecoder().decode(plain)).toBe(TOKEN);
    await expect(wrapper.unwrap(item?.data as never, tokenContext('other', 'control'))).rejects.toThrow();
    expect(store.writeCount()).toBe(1);
  });

  it('unwraps once per cache period and again after invalidate', async () => {
    const { clock, tokens, unwraps } = setup();
    await tokens.store(cluster, TOKEN);
    expect(await tokens.tokenFor(cluster, signal())).toBe(TOKEN);
    expect(await tokens.tokenFor(cluster, signal())).toBe(TOKEN);
    expect(unwraps()).toBe(1);
    clock.advance(60_000);
    await tokens.tokenFor(cluster, signal());
    expect(unwraps()).toBe(2);
    tokens.invalidate('prod');
    await tokens.tokenFor(cluster, signal());
    expect(unwraps()).toBe(3);
  });

  it('null without auth; a clear error without a stored token; rejects non-tokens', async () => {
    const { tokens } = setup();
    expect(await tokens.tokenFor({ id: 'prod' }, signal())).toBeNull();
    const error = await tokens.tokenFor(cluster, signal()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotFoundError);
    expect((error as NotFoundError).missing).toBe('vault-token');
    expect((error as Error).message).toMatch(/no Vault token of cluster prod is in custody: store one with sealwatch token set --cluster prod/);
    await expect(tokens.store(cluster, 'two words')).rejects.toThrow(/one non-empty word/);
    await expect(tokens.store(cluster, '  ')).rejects.toThrow(/one non-empty word/);
  });
});
