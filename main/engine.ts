import { chmodSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { AppInfo } from '../shared/domain/app-info.js';
import type { Channel, EventMap, EventName } from '../shared/ipc/contract.js';
import type { ApprovalRequest } from '../shared/domain/contacts.js';
import type { ChatMessage } from '../shared/domain/chat.js';
import type { Clock } from './base/clock.js';
import { Throttle } from './base/throttle.js';
import { installProcessGuards } from './base/process-guards.js';
import { BuddyList } from './contacts/buddy-list.js';
import { MessagingService, type MessagingOptions } from './messaging/messaging-service.js';
import { CallService, type CallServiceOptions } from './calls/call-service.js';
import { callsHandlers } from './calls/calls-handlers.js';
import { chatHandlers } from './messaging/chat-handlers.js';
import { ContactDirectory } from './contacts/contact-directory.js';
import { contactsHandlers } from './contacts/contacts-handlers.js';
import type { Handlers } from './ipc/handlers.js';
import { ApprovalService } from './presence/approvals.js';
import { MyPresenceService, type MyPresenceOptions } from './presence/my-presence.js';
import { approvalsHandlers, presenceHandlers } from './presence/presence-handlers.js';
import { PresenceWatchService } from './presence/presence-watch.js';
import type { PresenceWatchListOptions } from './presence/presence-watch-list.js';
import { accountHandlers } from './sip/account-handlers.js';
import { AccountService } from './sip/account-service.js';
import { SipConnection, type SipConnectionOptions } from './sip/sip-connection.js';
import { openDatabase } from './store/db.js';
import { getSetting, setSetting } from './store/settings-repository.js';
import { getAccountState } from './store/account-state-repository.js';
import { isSenderBlocked } from './store/messages-repository.js';
import { getUiSettings, setUiSettings } from './store/ui-settings-repository.js';
import { cleanText } from '../shared/domain/text.js';
import { DEVICE_TEXT_MAX } from '../shared/domain/settings.js';
import { err, ok } from '../shared/ipc/result.js';
import { parseSipAddress } from '../shared/domain/sip-address.js';
import { isCountry } from '../shared/domain/phone.js';
import type { SecretStore } from './store/secret-store.js';
import { createLogger } from './logger.js';

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
 * Parley's engine: the store and one service per domain, with no Electron in it, so the same code
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
  private readonly disposables: (() => void)[] = [];
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
    this.account = new AccountService(this.db, options.secrets, this.connection);
    this.info = { mode: options.mode, version: options.version, secretStorage: options.secrets.description };
    const owner = () => this.connection.account?.uri;
    const presenceClock = options.presence?.clock ?? clock;
    this.myPresence = new MyPresenceService(this.db, () => owner() ?? this.account.rememberedUri(), {
      ...options.presence,
      ...(presenceClock ? { clock: presenceClock } : {}),
    });
    this.directory = new ContactDirectory(this.db, owner, () => getUiSettings(this.db).defaultCountry);
    const { clock: _myPresenceClock, ...watchOptions } = options.presence ?? {};
    this.presenceWatch = new PresenceWatchService(this.directory, { ...watchOptions, ...(clock ? { clock } : {}) });
    this.approvals = new ApprovalService(this.db, owner, this.directory, clock ? { clock } : {});
    this.contacts = new BuddyList(this.directory, this.presenceWatch, this.approvals);
    this.messaging = new MessagingService(this.db, owner, this.directory, this.connection.session, {
      ...(clock ? { clock } : {}),
      readReceipts: () => getUiSettings(this.db).readReceipts,
      isBlocked: (uri) => this.approvals.watcher(uri)?.decision === 'blocked',
      ...options.messaging,
    });
    this.calls = new CallService(this.db, this.connection.session, owner, {
      ...(clock ? { clock } : {}),
      ...options.calls,
      defaultCountry: () => getUiSettings(this.db).defaultCountry,
      doNotDisturb: () => this.myPresence.current.status === 'dnd',
      nameForNumber: (e164) => {
        const record = this.directory.findByPhone(e164);
        const contact = record && this.contacts.contact(record.id);
        return contact ? contact.displayName || contact.networkName || contact.address : undefined;
      },
      nameForAddress: (uri) => {
        const record = this.directory.findByAddress(uri);
        const contact = record && this.contacts.contact(record.id);
        return contact ? contact.displayName || contact.networkName || contact.address : undefined;
      },
      isBlocked: (uri) => this.isBlocked(uri),
      isContact: (uri) => this.directory.findByAddress(uri) !== undefined,
      gateway: () => {
        const me = owner();
        return me ? getAccountState(this.db, me).gateway : '';
      },
    });
    this.handlers = {
      ...accountHandlers(this.info, this.account, this.connection),
      ...presenceHandlers(this.myPresence),
      ...contactsHandlers(this.contacts),
      ...approvalsHandlers(this.approvals),
      ...chatHandlers(this.messaging),
      ...callsHandlers(this.calls, () => this.account.iceServers()),
      'app:openConversation': async ({ peer }) => {
        const uri = parseSipAddress(peer)?.uri;
        if (!uri) return err('invalid', 'That is not a SIP address.', 'peer');
        return ok({ opened: this.conversationOpener?.(uri) ?? false });
      },
      'settings:get': async () => ok(getUiSettings(this.db)),
      'settings:set': async (changes) => {
        if (changes.defaultCountry !== undefined && changes.defaultCountry !== '' && !isCountry(changes.defaultCountry)) {
          return err('invalid', 'That is not a country Parley knows.', 'defaultCountry');
        }
        const next = setUiSettings(this.db, {
          ...(changes.density ? { density: changes.density } : {}),
          ...(changes.readReceipts !== undefined ? { readReceipts: changes.readReceipts } : {}),
          ...(changes.defaultCountry !== undefined ? { defaultCountry: changes.defaultCountry } : {}),
          ...(changes.device
            ? {
                devices: {
                  ...getUiSettings(this.db).devices,
                  [changes.device.kind]: { id: changes.device.id, label: cleanText(changes.device.label, DEVICE_TEXT_MAX) },
                },
              }
            : {}),
        });
        this.emit('onDidChangeSettings', next);
        return ok(next);
      },
    };

    // Order matters on sign-out: subscriptions and watcher info end before the publication goes.
    this.connection.addParticipant(this.presenceWatch);
    this.connection.addParticipant(this.approvals);
    this.connection.addParticipant(this.myPresence);
    this.connection.addParticipant(this.messaging);
    this.connection.addParticipant(this.calls);
    this.connection.onDidChange((state) => {
      this.emit('onDidChangeConnection', state);
      if (state.status === 'registered') {
        this.emit('onDidChangeContacts', this.contacts.list());
        this.emit('onDidChangeApprovals', this.approvals.page());
      }
    });
    this.myPresence.onDidChange((presence) => this.emit('onDidChangeMyPresence', presence));
    // Messages go to the pages in batches while they pour in (a burst from one contact, thousands
    // stored for me while I was away): the first at once, then what came meanwhile every 16 ms, at
    // most 200 to an event — not one event, one page update, per message.
    const outgoing: ChatMessage[] = [];
    let quiet: ReturnType<typeof setTimeout> | undefined;
    const sendMessages = () => {
      const batch = outgoing.splice(0, 200);
      if (batch.length > 0) this.emit('onDidChangeMessages', batch);
      quiet = setTimeout(() => {
        quiet = undefined;
        if (outgoing.length > 0) sendMessages();
      }, 16);
    };
    this.disposables.push(() => clearTimeout(quiet));
    this.messaging.onDidChange((messages) => {
      outgoing.push(...messages);
      if (!quiet) sendMessages();
    });
    this.messaging.onDidChangeTyping((change) => this.emit('onDidChangeTyping', change));
    this.messaging.onDidChangeConversations((list) => this.emit('onDidChangeConversations', list));
    this.calls.onDidChange((list) => {
      this.emit('onDidChangeCalls', list);
      // In a call once it is (not while answering: the PUBLISH then competes with the answer itself).
      this.myPresence.setInCall(list.some((call) => call.state === 'connected'));
    });
    this.calls.media.onDidRequest((request) => this.emit('onDidRequestMedia', request));
    this.calls.onDidRecord((recorded) => this.emit('onDidRecordCall', recorded));
    this.calls.onDidChangeMissed((missed) => this.emit('onDidChangeMissedCalls', missed));
    this.directory.onDidChange(() => this.emit('onDidChangeContacts', this.contacts.list()));
    this.presenceWatch.onDidChangePresence((changes) => this.emit('onDidChangeContactPresence', changes));
    // A flood of requests (anyone on any domain can ask) must not flood the page: the inbox goes out
    // as its first page and a total, at most four times a second; new requests are announced at
    // most every five seconds (the first at once), one event for the burst.
    // The contact list goes out again only when a decision or a contact's request changed it.
    let contactsTouched = false;
    const inboxChanged = new Throttle(
      250,
      () => {
        this.emit('onDidChangeApprovals', this.approvals.page());
        if (!contactsTouched) return;
        contactsTouched = false;
        // My decisions show on the contacts too (blocked, "sharing presence", asked to see me).
        this.emit('onDidChangeContacts', this.contacts.list());
      },
      clock,
    );
    let arrived: { count: number; first: ApprovalRequest } | undefined;
    const announce = new Throttle(
      5_000,
      () => {
        if (arrived) this.emit('onDidReceiveApprovalRequests', arrived);
        arrived = undefined;
      },
      clock,
    );
    this.disposables.push(
      () => inboxChanged.dispose(),
      () => announce.dispose(),
    );
    this.approvals.onDidChange(({ fresh }) => {
      if (fresh.length === 0 || fresh.some((request) => request.isContact)) contactsTouched = true;
      inboxChanged.request();
      if (fresh.length === 0) return;
      arrived = { count: (arrived?.count ?? 0) + fresh.length, first: arrived?.first ?? fresh[0]! };
      announce.request();
    });
  }

  /** Whether I blocked `uri`, in Message requests or on their card: their calls and messages are refused. */
  isBlocked(uri: string): boolean {
    const owner = this.connection.account?.uri;
    if (!owner) return false;
    return isSenderBlocked(this.db, owner, uri) || this.approvals.watcher(uri)?.decision === 'blocked';
  }

  /** Set by the desktop shell: opens a conversation in its own window (web mode has none). */
  conversationOpener: ((peer: string) => boolean) | undefined;

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
    this.myPresence.dispose();
    this.approvals.dispose();
    this.presenceWatch.dispose();
    this.messaging.dispose();
    this.calls.dispose();
    for (const dispose of this.disposables.splice(0)) dispose();
    this.db.close();
  }

  private emit<E extends EventName>(event: E, payload: EventMap[E]): void {
    // A call's SDP and its media requests are for the page that holds the call, not every page.
    const only = event === 'onDidRequestMedia' ? this.calls.media.ownerOf((payload as EventMap['onDidRequestMedia']).token) : undefined;
    for (const [sink, callerId] of this.sinks) if (callerId === undefined || only === undefined || callerId === only) sink(event, payload);
  }
}
