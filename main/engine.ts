import { chmodSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { AppInfo } from '../shared/domain/app-info.js';
import type { ConversationId } from '../shared/domain/chat.js';
import { CHANNELS, type Channel, type EventMap, type EventName } from '../shared/ipc/contract.js';
import type { Clock } from './base/clock.js';
import { installProcessGuards } from './base/process-guards.js';
import type { CallService, CallServiceOptions } from './calls/call-service.js';
import { callsModule } from './calls/calls-module.js';
import type { BuddyList } from './contacts/buddy-list.js';
import { ContactDirectory } from './contacts/contact-directory.js';
import { contactsModule } from './contacts/contacts-module.js';
import type { DomainModule, EngineContext, EngineServices, ModuleFactory } from './engine-context.js';
import type { Handlers } from './ipc/handlers.js';
import { createLogger } from './logger.js';
import { chatModule } from './chat/chat-module.js';
import type { MessagingOptions, MessagingService } from './chat/messaging-service.js';
import type { ApprovalService } from './approvals/approvals.js';
import { approvalsModule } from './approvals/approvals-module.js';
import type { MyPresenceOptions, MyPresenceService } from './presence/my-presence.js';
import { presenceModule } from './presence/presence-module.js';
import type { PresenceWatchService } from './presence/presence-watch.js';
import type { PresenceWatchListOptions } from './presence/presence-watch-list.js';
import { settingsModule } from './settings/settings-module.js';
import { accountModule } from './account/account-module.js';
import type { AccountService } from './account/account-service.js';
import { SipConnection, type SipConnectionOptions } from './sip/sip-connection.js';
import { openDatabase } from './store/db.js';
import { isSenderBlocked } from './store/messages-repository.js';
import type { SecretStore } from './store/secret-store.js';
import { getSetting, setSetting } from './store/settings-repository.js';
import { getUiSettings } from './store/ui-settings-repository.js';

export interface EngineOptions {
  /** Folder for the SQLite file (created with mode 0700). */
  readonly dataDir: string;
  readonly secrets: SecretStore;
  readonly mode: AppInfo['mode'];
  readonly version: string;
  readonly sip?: SipConnectionOptions;
  /** Presence tuning; `clock` here drives my presence only (idle detection, publication timers). */
  readonly presence?: Omit<PresenceWatchListOptions, 'clock'> & MyPresenceOptions;
  /** Time for every service (tests drive state machines with a fake one). */
  readonly clock?: Clock;
  /** Chat tuning (tests shrink what one sender may store). */
  readonly messaging?: Pick<MessagingOptions, 'budget'>;
  /** Call tuning (tests shorten how long a call waits for a lost connection). */
  readonly calls?: Pick<CallServiceOptions, 'reconnectMs' | 'ringMs' | 'mediaLossMs'>;
}

/** Something that wants the engine's events (a window, a web-mode socket). */
export type EventSink = <E extends EventName>(event: E, payload: EventMap[E]) => void;

/**
 * The engine's domains, in order: each module may use the services of those listed before it, and
 * the parts that take part in the SIP session start (and, on sign-out, begin to stop) in this order —
 * subscriptions and watcher info end before my publication goes. Adding a domain adds a line here.
 */
export const MODULES: readonly ModuleFactory[] = [
  accountModule,
  settingsModule,
  approvalsModule,
  contactsModule,
  presenceModule,
  chatModule,
  callsModule,
];

/**
 * Parley's engine: the store and one module per domain, with no Electron in it, so the same code
 * runs inside the desktop app, in web mode and in tests.
 */
export class Engine {
  readonly connection: SipConnection;
  readonly account: AccountService;
  readonly myPresence: MyPresenceService;
  /** Who I keep (contacts and groups), by address. */
  readonly directory: ContactDirectory;
  /** The presence of my contacts. */
  readonly presenceWatch: PresenceWatchService;
  /** Who may see me: the approval inbox and my decisions. */
  readonly approvals: ApprovalService;
  /** The buddy list as the person sees it (directory + presence + decisions). */
  readonly contacts: BuddyList;
  /** Instant messages. */
  readonly messaging: MessagingService;
  /** Calls (the dialogs; media is in the page that holds each call). */
  readonly calls: CallService;
  readonly info: AppInfo;
  /** Every IPC request channel's implementation, from each domain. */
  readonly handlers: Handlers<Channel>;
  /** Where this engine keeps its files. */
  readonly dataDir: string;
  /** Receivers of events, each with the page it is (undefined: a shell that hears everything and routes it). */
  private readonly sinks = new Map<EventSink, string | undefined>();
  private readonly modules: DomainModule[] = [];
  private readonly shell: EngineContext['shell'] = { conversationOpener: undefined };
  private readonly db;
  private closed = false;

  constructor(options: EngineOptions) {
    installProcessGuards();
    this.dataDir = options.dataDir;
    mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
    // A folder that already existed keeps its mode from mkdir: tighten it.
    chmodSync(options.dataDir, 0o700);
    this.db = openDatabase(join(options.dataDir, 'parley.sqlite'));
    const clock = options.clock;
    this.connection = new SipConnection({
      userAgentString: `Parley/${options.version}`,
      logger: createLogger('sip'),
      ...(clock ? { clock } : {}),
      ...options.sip,
    });
    this.info = { mode: options.mode, version: options.version, secretStorage: options.secrets.description };
    const owner = () => this.connection.account?.uri;
    this.directory = new ContactDirectory(this.db, owner, () => getUiSettings(this.db).defaultCountry);
    const services: Partial<EngineServices> = {};
    const context: EngineContext = {
      db: this.db,
      options,
      clock,
      connection: this.connection,
      info: this.info,
      directory: this.directory,
      owner,
      emit: (event, payload) => this.emit(event, payload),
      isBlocked: (uri) => this.isBlocked(uri),
      shell: this.shell,
      services,
      need: (name) => {
        const service = services[name];
        if (!service) throw new Error(`the ${name} service is used before its module made it (see MODULES)`);
        return service;
      },
    };
    const handlers: Partial<Handlers<Channel>> = {};
    for (const make of MODULES) {
      const module = make(context);
      this.modules.push(module);
      for (const channel of Object.keys(module.handlers) as Channel[]) {
        if (handlers[channel]) throw new Error(`two modules answer ${channel} (the second: ${module.name})`);
      }
      Object.assign(handlers, module.handlers);
      for (const participant of module.participants ?? []) this.connection.addParticipant(participant);
    }
    const missing = CHANNELS.filter((channel) => !handlers[channel]);
    if (missing.length > 0) throw new Error(`no module answers ${missing.join(', ')}`);
    this.handlers = handlers as Handlers<Channel>;
    this.account = context.need('account');
    this.approvals = context.need('approvals');
    this.presenceWatch = context.need('presenceWatch');
    this.contacts = context.need('contacts');
    this.myPresence = context.need('myPresence');
    this.messaging = context.need('messaging');
    this.calls = context.need('calls');
  }

  /** Whether I blocked `uri`, in Message requests or on their card: their calls and messages are refused. */
  isBlocked(uri: string): boolean {
    const owner = this.connection.account?.uri;
    if (!owner) return false;
    return isSenderBlocked(this.db, owner, uri) || this.approvals.watcher(uri)?.decision === 'blocked';
  }

  /** Set by the desktop shell: opens a conversation in its own window (web mode has none). */
  get conversationOpener(): ((conversation: ConversationId) => boolean) | undefined {
    return this.shell.conversationOpener;
  }
  set conversationOpener(opener: ((conversation: ConversationId) => boolean) | undefined) {
    this.shell.conversationOpener = opener;
  }

  /** Small preferences of the shells (window placement and the like), kept in SQLite. */
  readonly settings = {
    get: <T>(key: string): T | undefined => getSetting<T>(this.db, key),
    set: (key: string, value: unknown): void => setSetting(this.db, key, value),
  };

  /** Starts background work: signs in again if the account is remembered. */
  async start(): Promise<void> {
    await this.account.resume();
  }

  /**
   * Adds a receiver of events; returns the function that removes it. A sink for one page
   * (`callerId`, as its requests name it) hears a call's media requests only when that page holds
   * the call; a sink without one (the desktop shell, which routes to its windows) hears them all.
   */
  addSink(sink: EventSink, callerId?: string): () => void {
    this.sinks.set(sink, callerId);
    return () => this.sinks.delete(sink);
  }

  /** Un-registers and closes the store. Safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.connection.signOut();
    for (const module of this.modules.splice(0).reverse()) module.dispose?.();
    this.db.close();
  }

  private emit<E extends EventName>(event: E, payload: EventMap[E]): void {
    // A call's SDP and its media requests are for the page that holds the call, not every page.
    const only = event === 'onDidRequestMedia' ? this.calls.media.ownerOf((payload as EventMap['onDidRequestMedia']).token) : undefined;
    for (const [sink, callerId] of this.sinks) if (callerId === undefined || only === undefined || callerId === only) sink(event, payload);
  }
}
