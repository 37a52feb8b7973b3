import type { SavedAccount, SignInParams } from '../../../shared/domain/account';
import type { AppInfo } from '../../../shared/domain/app-info';
import type { ConnectionState } from '../../../shared/domain/connection';
import type { ParleyApi } from '../../../shared/ipc/contract';
import type { IpcError, Result } from '../../../shared/ipc/result';
import { Problem, problemText } from '../../../shared/domain/problem';
import type { Bridge } from './bridge';
import { ContactsState } from '../contacts/contacts-state.svelte';
import { UiState } from './ui-state.svelte';
import { ChatState } from '../chat/chat-state.svelte';
import { asConversationId, type ConversationId } from '../../../shared/domain/chat';
import { CallsState } from '../calls/calls-state.svelte';
import { Subscriptions } from './subscriptions';

/** What the whole window shows: app facts, the remembered account and the connection. */
export class AppState {
  /** What this state subscribed to (released by dispose()). */
  private readonly subscriptions = new Subscriptions();
  info = $state<AppInfo | null>(null);
  account = $state<SavedAccount | null>(null);
  connection = $state<ConnectionState>({ status: 'signedOut' });
  /** Set when the engine cannot be reached at all (web mode: the Node process stopped). */
  fatal = $state<string | null>(null);
  loaded = $state(false);
  readonly contacts: ContactsState;
  /** Layout and preferences of the window. */
  readonly ui: UiState;
  /** Conversations. */
  readonly chat: ChatState;
  /** Calls. */
  readonly calls: CallsState;
  /** In the desktop app's window for one conversation: which (from the window's URL). */
  readonly conversationId: ConversationId | null;
  /** In the desktop app's call window: which call (from the window's URL). */
  readonly callWindowId: string | null;
  private readonly api: ParleyApi;

  constructor(bridge: Bridge) {
    this.api = bridge.api;
    // (the chat state is made below; the page asks for a conversation only once all are there)
    this.ui = new UiState(bridge.api, (peer) => this.chat.conversationWith(peer));
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- read once, not state
    const conversation = new URLSearchParams(location.search).get('conversation');
    this.conversationId = conversation && /^[1-9]\d{0,14}$/.test(conversation) ? asConversationId(Number(conversation)) : null;
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- read once, not state
    const callId = new URLSearchParams(location.search).get('call');
    this.callWindowId = callId && /^[\w-]{1,64}$/.test(callId) ? callId : null;
    this.contacts = new ContactsState(bridge.api, () => this.connection.status === 'registered');
    this.chat = new ChatState(bridge.api, (uri) => this.contacts.byUri.has(uri));
    this.calls = new CallsState(
      bridge.api,
      () => this.ui.settings,
      (uri) => this.contacts.byUri.has(uri),
    );
    bridge.onLost((problem) => {
      this.fatal = problemText({ problem });
    });
    this.subscriptions.add(
      this.api.on('onDidChangeConnection', (state) => {
        this.connection = state;
      }),
    );
  }

  /** Stops listening to main, in every domain (the window is going away). */
  dispose(): void {
    this.subscriptions.dispose();
    for (const domain of [this.contacts, this.ui, this.chat, this.calls]) domain.dispose();
  }

  async load(): Promise<void> {
    // Each answer is applied the moment it arrives. Answers and events travel in order on the same
    // channel, so an event that arrives after an answer is newer; waiting for all three answers first
    // (Promise.all) could let an older snapshot overwrite a newer event.
    const connection = this.api.connection.get().then((result) => {
      if (result.ok) this.connection = result.value;
      return result;
    });
    const [info, account, current] = await Promise.all([this.api.app.getInfo(), this.api.account.get(), connection]);
    if (!info.ok || !account.ok || !current.ok) {
      this.fatal = problemText(firstError([info, account, current]) ?? { problem: Problem.Internal });
      return;
    }
    this.info = info.value;
    this.account = account.value;
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

  /** Trusts a private server's certificate for the account at `address` (empty fingerprint: stop trusting). */
  trustCertificate(address: string, fingerprint: string) {
    return this.api.account.trustCertificate({ address, fingerprint });
  }

  /** Retry now (network back, or the person asked). */
  checkConnection(): void {
    void this.api.connection.check();
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
