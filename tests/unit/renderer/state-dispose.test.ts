import { expect, test } from 'vitest';
import { createParleyApi, type ParleyTransport } from '../../../shared/ipc/contract';
import { CallsState } from '../../../renderer/src/calls/calls-state.svelte';
import { ChatState } from '../../../renderer/src/chat/chat-state.svelte';
import { ContactsState } from '../../../renderer/src/contacts/contacts-state.svelte';
import { UiState } from '../../../renderer/src/shell/ui-state.svelte';

/** A transport that counts who listens to what. */
function countingTransport() {
  const listeners = new Set<() => void>();
  const transport: ParleyTransport = {
    invoke: async () => ({ ok: false, error: { kind: 'internal', problem: 'internal' } }) as never,
    subscribe: () => {
      const entry = () => undefined;
      listeners.add(entry);
      return () => listeners.delete(entry);
    },
  };
  return { api: createParleyApi(transport), listening: () => listeners.size };
}

test('each state class releases every event it listens to on dispose()', () => {
  for (const make of [
    (api: ReturnType<typeof createParleyApi>) => new ContactsState(api),
    (api: ReturnType<typeof createParleyApi>) => new ChatState(api, () => true),
    (api: ReturnType<typeof createParleyApi>) => new CallsState(api),
    (api: ReturnType<typeof createParleyApi>) => new UiState(api),
  ]) {
    const { api, listening } = countingTransport();
    const state = make(api);
    expect(listening(), state.constructor.name).toBeGreaterThan(0);
    state.dispose();
    expect(listening(), state.constructor.name).toBe(0);
  }
});
