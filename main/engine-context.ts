import type { Database } from 'better-sqlite3';
import type { AppInfo } from '../shared/domain/app-info.js';
import type { ConversationId } from '../shared/domain/chat.js';
import type { Channel, EventMap, EventName } from '../shared/ipc/contract.js';
import type { Clock } from './base/clock.js';
import type { CallService } from './calls/call-service.js';
import type { BuddyList } from './contacts/buddy-list.js';
import type { ContactDirectory } from './contacts/contact-directory.js';
import type { EngineOptions } from './engine.js';
import type { Handlers } from './ipc/handlers.js';
import type { MessagingService } from './chat/messaging-service.js';
import type { ApprovalService } from './approvals/approvals.js';
import type { MyPresenceService } from './presence/my-presence.js';
import type { PresenceWatchService } from './presence/presence-watch.js';
import type { AccountService } from './account/account-service.js';
import type { SessionParticipant, SipConnection } from './sip/sip-connection.js';

/** The services the domain modules make, by name (a module reads those made before it). */
export interface EngineServices {
  account: AccountService;
  approvals: ApprovalService;
  presenceWatch: PresenceWatchService;
  contacts: BuddyList;
  myPresence: MyPresenceService;
  messaging: MessagingService;
  calls: CallService;
}

/** Sends an event to every page that should hear it. */
export type Emit = <E extends EventName>(event: E, payload: EventMap[E]) => void;

/** What every domain module is given: the store, the SIP connection, the clock, and the services made so far. */
export interface EngineContext {
  readonly db: Database;
  readonly options: EngineOptions;
  /** Time for every service (tests drive state machines with a fake one); undefined: the system's. */
  readonly clock: Clock | undefined;
  readonly connection: SipConnection;
  readonly info: AppInfo;
  /** Who I keep (contacts and groups), by address: read by most domains. */
  readonly directory: ContactDirectory;
  /** The signed-in account's SIP URI. */
  readonly owner: () => string | undefined;
  readonly emit: Emit;
  /** Whether I blocked `uri` (Message requests or the card): their calls and messages are refused. */
  readonly isBlocked: (uri: string) => boolean;
  /** What the desktop shell plugs in (web mode leaves it empty). */
  readonly shell: { conversationOpener: ((conversation: ConversationId) => boolean) | undefined };
  /** The services made so far. */
  readonly services: Partial<EngineServices>;
  /** A service a module listed earlier made (a module listed out of order is a programming error). */
  need<K extends keyof EngineServices>(name: K): EngineServices[K];
}

/**
 * One domain of the engine: what it made (into `services`), the IPC request channels it answers,
 * the parts of it that take part in the SIP session (in the order they should start and stop), and
 * how it is taken down. Its events it wires itself, through `emit`.
 */
export interface DomainModule {
  readonly name: string;
  readonly handlers: Partial<Handlers<Channel>>;
  readonly participants?: readonly SessionParticipant[];
  dispose?(): void;
}

/** Makes a domain's module in the engine's context. */
export type ModuleFactory = (context: EngineContext) => DomainModule;
