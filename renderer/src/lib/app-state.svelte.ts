import type { SavedAccount, SignInParams } from '../../../shared/domain/account';
import type { AppInfo } from '../../../shared/domain/app-info';
import type { ConnectionState } from '../../../shared/domain/connection';
import type { ParleyApi } from '../../../shared/ipc/contract';
import type { IpcError, Result } from '../../../shared/ipc/result';
import type { Bridge } from './bridge';
import { ContactsState } from './contacts-state.svelte';

/** What the whole window shows: app facts, the remembered account and the connection. */
export class AppState {
  info = $state<AppInfo | null>(null);
  account = $state<SavedAccount | null>(null);
  connection = $state<ConnectionState>({ status: 'signedOut' });
  /** Set when the engine cannot be reached at all (web mode: the Node process stopped). */
  fatal = $state<string | null>(null);
  loaded = $state(false);
  readonly contacts: ContactsState;
  private readonly api: ParleyApi;

  constructor(bridge: Bridge) {
    this.api = bridge.api;
    this.contacts = new ContactsState(bridge.api);
    bridge.onLost((message) => {
      this.fatal = message;
    });
    this.api.on('onDidChangeConnection', (state) => {
      this.connection = state;
    });
  }

  async load(): Promise<void> {
    const [info, account, connection] = await Promise.all([this.api.app.getInfo(), this.api.account.get(), this.api.connection.get()]);
    if (!info.ok || !account.ok || !connection.ok) {
      this.fatal = firstError([info, account, connection])?.message ?? 'Parley could not start.';
      return;
    }
    this.info = info.value;
    this.account = account.value;
    this.connection = connection.value;
    this.loaded = true;
  }

  async signIn(params: SignInParams): Promise<Result<ConnectionState>> {
    const result = await this.api.account.signIn(params);
    if (result.ok) {
      this.connection = result.value;
      const account = await this.api.account.get();
      if (account.ok) this.account = account.value;
    }
    return result;
  }

  async signOut(): Promise<void> {
    const result = await this.api.account.signOut();
    if (result.ok) this.connection = result.value;
    const account = await this.api.account.get();
    if (account.ok) this.account = account.value;
  }
}

function firstError(results: Result<unknown>[]): IpcError | undefined {
  for (const result of results) if (!result.ok) return result.error;
  return undefined;
}
