import { expect, test, vi } from 'vitest';

// The preload runs in a sandboxed renderer; here its two Electron dependencies are recorded.
const exposed = vi.hoisted(() => ({
  worlds: new Map<string, unknown>(),
  invoked: [] as unknown[][],
  listeners: new Map<string, Function[]>(),
}));
vi.mock('electron', () => ({
  contextBridge: { exposeInMainWorld: (key: string, api: unknown) => exposed.worlds.set(key, api) },
  ipcRenderer: {
    invoke: async (...args: unknown[]) => {
      exposed.invoked.push(args);
      return { ok: true, value: 'from main' };
    },
    on: (event: string, listener: Function) => exposed.listeners.set(event, [...(exposed.listeners.get(event) ?? []), listener]),
    removeListener: (event: string, listener: Function) =>
      exposed.listeners.set(
        event,
        (exposed.listeners.get(event) ?? []).filter((l) => l !== listener),
      ),
  },
}));

await import('../../../main/preload/preload.js');
const { CHANNELS } = await import('../../../shared/ipc/contract.js');

type Api = Record<string, Record<string, (payload?: unknown) => Promise<unknown>>> & {
  on: (event: string, listener: (payload: unknown) => void) => () => void;
};

test('exposes only window.parley, a domain-shaped API over the contract’s channels', async () => {
  expect([...exposed.worlds.keys()]).toEqual(['parley']);
  const api = exposed.worlds.get('parley') as Api;
  expect(Object.isFrozen(api)).toBe(true);
  expect(api).not.toHaveProperty('invoke');
  for (const channel of CHANNELS) {
    const [domain, verb] = channel.split(':') as [string, string];
    expect(typeof api[domain]![verb]).toBe('function');
  }
  await expect(api.account!.signIn!({ address: 'a@b.c' })).resolves.toEqual({ ok: true, value: 'from main' });
  expect(exposed.invoked).toEqual([['account:signIn', { address: 'a@b.c' }]]);
});

test('events reach the page without the Electron event object, and unknown events are ignored', () => {
  const api = exposed.worlds.get('parley') as Api;
  const heard: unknown[] = [];
  const stop = api.on('onDidChangeConnection', (payload) => heard.push(payload));
  api.on('not-an-event' as never, () => heard.push('leak'));
  expect([...exposed.listeners.keys()]).toEqual(['onDidChangeConnection']);
  for (const listener of exposed.listeners.get('onDidChangeConnection')!) listener({ sender: 'ipc internals' }, { status: 'signedOut' });
  expect(heard).toEqual([{ status: 'signedOut' }]);
  stop();
  expect(exposed.listeners.get('onDidChangeConnection')).toEqual([]);
});
