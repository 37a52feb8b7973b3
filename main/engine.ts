import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { AppInfo } from '../shared/domain/app-info.js';
import type { EventMap, EventName } from '../shared/ipc/contract.js';
import { ContactService } from './contacts/contact-service.js';
import { ApprovalService } from './presence/approvals.js';
import { MyPresenceService } from './presence/my-presence.js';
import type { PresenceWatchListOptions } from './presence/presence-watch-list.js';
import { AccountService } from './sip/account-service.js';
import { SipConnection, type SipConnectionOptions } from './sip/sip-connection.js';
import { openDatabase } from './store/db.js';
import { getSetting, setSetting } from './store/settings-repository.js';
import type { SecretStore } from './store/secret-store.js';
import { createLogger } from './logger.js';

export interface EngineOptions {
  /** Folder for the SQLite file (created with mode 0700). */
  readonly dataDir: string;
  readonly secrets: SecretStore;
  readonly mode: AppInfo['mode'];
  readonly version: string;
  readonly sip?: SipConnectionOptions;
  readonly presence?: PresenceWatchListOptions & { publishExpires?: number; idleCheckMs?: number; now?: () => number };
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
  readonly approvals: ApprovalService;
  readonly contacts: ContactService;
  readonly info: AppInfo;
  /** Where this engine keeps its files. */
  readonly dataDir: string;
  private readonly sinks = new Set<EventSink>();
  private readonly db;
  private closed = false;

  constructor(options: EngineOptions) {
    this.dataDir = options.dataDir;
    mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
    this.db = openDatabase(join(options.dataDir, 'parley.sqlite'));
    this.connection = new SipConnection({ userAgentString: `Parley/${options.version}`, logger: createLogger('sip'), ...options.sip });
    this.account = new AccountService(this.db, options.secrets, this.connection);
    this.info = { mode: options.mode, version: options.version, secretStorage: options.secrets.description };
    this.myPresence = new MyPresenceService(this.db, options.presence ?? {});
    this.approvals = new ApprovalService(this.db);
    this.contacts = new ContactService(
      this.db,
      this.connection,
      this.approvals,
      {
        list: (list) => this.emit('onDidChangeContacts', list),
        presence: (changes) => this.emit('onDidChangeContactPresence', changes),
        approvals: (requests, fresh) => {
          this.emit('onDidChangeApprovals', requests);
          for (const request of fresh) this.emit('onDidReceiveApprovalRequest', request);
        },
      },
      options.presence ?? {},
    );
    // Order matters on sign-out: subscriptions and watcher info end before the publication goes.
    this.connection.addParticipant(this.contacts);
    this.connection.addParticipant(this.approvals);
    this.connection.addParticipant(this.myPresence);
    this.connection.onDidChange((state) => this.emit('onDidChangeConnection', state));
    this.myPresence.onDidChange((presence) => this.emit('onDidChangeMyPresence', presence));
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

  /** Adds a receiver of events; returns the function that removes it. */
  addSink(sink: EventSink): () => void {
    this.sinks.add(sink);
    return () => this.sinks.delete(sink);
  }

  /** Un-registers and closes the store. Safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.connection.signOut();
    this.myPresence.dispose();
    this.approvals.dispose();
    this.db.close();
  }

  private emit<E extends EventName>(event: E, payload: EventMap[E]): void {
    for (const sink of this.sinks) sink(event, payload);
  }
}
