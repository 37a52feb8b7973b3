import type { Database } from 'better-sqlite3';
import {
  CONTACT_NAME_MAX,
  groupNameError,
  type ApprovalAnswer,
  type ApprovalRequest,
  type Contact,
  type ContactGroup,
  type ContactList,
} from '../../shared/domain/contacts.js';
import { parseSipAddress } from '../../shared/domain/sip-address.js';
import type { ContactPresenceChange } from '../../shared/ipc/contract.js';
import { err, ok, type Result } from '../../shared/ipc/result.js';
import { createLogger, type Logger } from '../logger.js';
import type { ApprovalService } from '../presence/approvals.js';
import { PresenceWatchList, type PresenceWatchListOptions, type WatchState } from '../presence/presence-watch-list.js';
import type { SessionParticipant, SipAccountConfig, SipConnection } from '../sip/sip-connection.js';
import type { SipSession } from '../sip/sip-session.js';
import {
  createGroup,
  deleteContact,
  deleteGroup,
  ensureDefaultGroup,
  findContact,
  findGroupByName,
  getContact,
  getWatcher,
  groupExists,
  insertContact,
  listContacts,
  listGroups,
  renameGroup,
  updateContact,
  type ContactRecord,
} from '../store/contacts-repository.js';

export interface ContactEvents {
  /** The list's shape changed (added, removed, renamed, moved, groups, blocked). */
  list(list: ContactList): void;
  /** Presence or subscription state of some contacts changed. */
  presence(changes: ContactPresenceChange[]): void;
  /** The approval inbox changed; `fresh` are requests seen for the first time. */
  approvals(requests: ApprovalRequest[], fresh: ApprovalRequest[]): void;
}

/**
 * The buddy list: contacts and groups in SQLite (per account), one presence subscription per
 * contact, and the approval inbox with its answers. Federation needs nothing special: a contact on
 * another domain is a SIP URI like any other, and the proxy routes the SUBSCRIBE.
 */
export class ContactService implements SessionParticipant {
  private readonly watchList: PresenceWatchList;
  private pendingPresence = new Map<number, ContactPresenceChange>();
  private flushTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly log: Logger;

  constructor(
    private readonly db: Database,
    private readonly connection: SipConnection,
    private readonly approvals: ApprovalService,
    private readonly events: ContactEvents,
    watchOptions: PresenceWatchListOptions = {},
  ) {
    this.log = createLogger('contacts');
    this.watchList = new PresenceWatchList((uri, state) => this.onPresence(uri, state), watchOptions);
    approvals.onDidChange((owner, fresh) => {
      if (owner !== this.owner) return;
      const requests = this.approvalRequests();
      const freshRequests = requests.filter((r) => fresh.some((f) => f.uri === r.uri));
      this.events.approvals(requests, freshRequests);
      this.events.list(this.list());
    });
  }

  private get owner(): string | undefined {
    return this.connection.account?.uri;
  }

  /** The whole list with presence (empty when signed out). */
  list(): ContactList {
    const owner = this.owner;
    if (!owner) return { groups: [], contacts: [] };
    const decisions = new Map(this.approvals.watchers(owner).map((w) => [w.uri, w.decision] as const));
    return {
      groups: listGroups(this.db, owner),
      contacts: listContacts(this.db, owner).map((record) => this.view(record, decisions.get(record.uri) ?? 'none')),
    };
  }

  /** Adds a contact by SIP address (normalised; myself and duplicates refused) and subscribes. */
  add(params: { address: string; displayName?: string; groupId?: number }): Result<Contact> {
    const owner = this.owner;
    if (!owner) return err('state', 'Sign in to add contacts.');
    const address = parseSipAddress(params.address);
    if (!address) return err('invalid', 'That is not a SIP address. Use the form bob@example.com or sip:bob@example.com.', 'address');
    const selfAddress = parseSipAddress(owner);
    if (address.address === selfAddress?.address) return err('invalid', 'That is your own address.', 'address');
    const existing = listContacts(this.db, owner).find((c) => parseSipAddress(c.uri)?.address === address.address);
    if (existing) return err('invalid', `${address.address} is already in your contacts.`, 'address');
    const displayName = (params.displayName ?? '').trim();
    if (displayName.length > CONTACT_NAME_MAX || /\p{Cc}/u.test(displayName))
      return err('invalid', `A name has at most ${CONTACT_NAME_MAX} characters, without control characters.`, 'displayName');
    const groupId = params.groupId ?? ensureDefaultGroup(this.db, owner);
    if (!groupExists(this.db, owner, groupId)) return err('invalid', 'That group does not exist.', 'group');
    const id = insertContact(this.db, owner, address.uri, displayName, groupId);
    this.watchList.add(address.uri);
    // They asked to see me before I added them: accept, I asked for the same thing.
    if (getWatcher(this.db, owner, address.uri)?.decision === 'pending') void this.answer(address.uri, 'accept');
    this.events.list(this.list());
    return ok(this.list().contacts.find((c) => c.id === id)!);
  }

  /** Removes a contact and ends its subscription. */
  async remove(id: number): Promise<Result<void>> {
    const owner = this.owner;
    const contact = owner && getContact(this.db, owner, id);
    if (!owner || !contact) return err('invalid', 'That contact does not exist.');
    deleteContact(this.db, owner, id);
    this.events.list(this.list());
    await this.watchList.remove(contact.uri);
    return ok(undefined);
  }

  /** Renames a contact or moves it to another group. */
  update(id: number, changes: { displayName?: string; groupId?: number }): Result<Contact> {
    const owner = this.owner;
    if (!owner || !getContact(this.db, owner, id)) return err('invalid', 'That contact does not exist.');
    if (changes.groupId !== undefined && !groupExists(this.db, owner, changes.groupId))
      return err('invalid', 'That group does not exist.', 'group');
    const displayName = changes.displayName?.trim();
    if (displayName !== undefined && (displayName.length > CONTACT_NAME_MAX || /\p{Cc}/u.test(displayName)))
      return err('invalid', `A name has at most ${CONTACT_NAME_MAX} characters, without control characters.`, 'displayName');
    updateContact(this.db, owner, id, {
      ...(displayName !== undefined ? { displayName } : {}),
      ...(changes.groupId !== undefined ? { groupId: changes.groupId } : {}),
    });
    const list = this.list();
    this.events.list(list);
    return ok(list.contacts.find((c) => c.id === id)!);
  }

  /** Blocks a contact from seeing my presence, or lets them see it again. */
  async setBlocked(id: number, blocked: boolean): Promise<Result<Contact>> {
    const owner = this.owner;
    const contact = owner && getContact(this.db, owner, id);
    if (!owner || !contact) return err('invalid', 'That contact does not exist.');
    const written = await this.decide(owner, contact.uri, blocked ? 'blocked' : 'allowed');
    // A decision from the contact's menu also answers their request, if one was waiting.
    this.events.approvals(this.approvalRequests(), []);
    this.events.list(this.list());
    if (!written.ok) return written;
    return ok(this.list().contacts.find((c) => c.id === id)!);
  }

  createGroup(name: string): Result<ContactGroup> {
    const owner = this.owner;
    if (!owner) return err('state', 'Sign in first.');
    const problem = groupNameError(name);
    if (problem) return err('invalid', problem, 'name');
    if (findGroupByName(this.db, owner, name.trim())) return err('invalid', `There is already a group called ${name.trim()}.`, 'name');
    const id = createGroup(this.db, owner, name.trim());
    this.events.list(this.list());
    return ok({ id, name: name.trim(), isDefault: false });
  }

  renameGroup(id: number, name: string): Result<ContactGroup> {
    const owner = this.owner;
    if (!owner) return err('state', 'Sign in first.');
    const problem = groupNameError(name);
    if (problem) return err('invalid', problem, 'name');
    const clash = findGroupByName(this.db, owner, name.trim());
    if (clash && clash.id !== id) return err('invalid', `There is already a group called ${name.trim()}.`, 'name');
    if (!renameGroup(this.db, owner, id, name.trim())) return err('invalid', 'That group does not exist.');
    this.events.list(this.list());
    return ok(listGroups(this.db, owner).find((g) => g.id === id)!);
  }

  /** Deletes a group; its contacts move to the default group. */
  deleteGroup(id: number): Result<void> {
    const owner = this.owner;
    if (!owner) return err('state', 'Sign in first.');
    if (!deleteGroup(this.db, owner, id)) return err('invalid', 'The default group cannot be deleted.');
    this.events.list(this.list());
    return ok(undefined);
  }

  /** The approval inbox: pending requests, oldest first. */
  approvalRequests(): ApprovalRequest[] {
    const owner = this.owner;
    if (!owner) return [];
    const contacts = new Set(listContacts(this.db, owner).map((c) => c.uri));
    return this.approvals
      .watchers(owner)
      .filter((w) => w.decision === 'pending')
      .map((w) => ({
        uri: w.uri,
        address: parseSipAddress(w.uri)?.address ?? w.uri,
        displayName: w.displayName,
        requestedAt: w.requestedAt ?? 0,
        isContact: contacts.has(w.uri),
      }));
  }

  /** Answers an approval request: accept (optionally adding them), decline or block. */
  async answer(uri: string, answer: ApprovalAnswer): Promise<Result<void>> {
    const owner = this.owner;
    if (!owner) return err('state', 'Sign in first.');
    const normalised = parseSipAddress(uri)?.uri;
    if (!normalised) return err('invalid', 'That is not a SIP address.');
    if (answer === 'acceptAndAdd' && !findContact(this.db, owner, normalised)) {
      const added = this.add({ address: normalised, displayName: getWatcher(this.db, owner, normalised)?.displayName ?? '' });
      if (!added.ok && added.error.field !== 'address') return added;
    }
    const decision = answer === 'accept' || answer === 'acceptAndAdd' ? 'allowed' : answer === 'decline' ? 'declined' : 'blocked';
    const written = await this.decide(owner, normalised, decision);
    this.events.approvals(this.approvalRequests(), []);
    this.events.list(this.list());
    return written;
  }

  private async decide(owner: string, uri: string, decision: 'allowed' | 'declined' | 'blocked'): Promise<Result<void>> {
    try {
      await this.approvals.decide(owner, uri, decision);
      return ok(undefined);
    } catch (error) {
      this.log.warn(`pres-rules write failed: ${String(error)}`);
      return err(
        'unreachable',
        `Your answer is saved, but the server did not take it yet (${error instanceof Error ? error.message : String(error)}). Parley will try again.`,
      );
    }
  }

  online(session: SipSession, account: SipAccountConfig): Promise<void> {
    this.watchList.set(listContacts(this.db, account.uri).map((c) => c.uri));
    this.events.list(this.list());
    this.events.approvals(this.approvalRequests(), []);
    return this.watchList.online(session);
  }

  offline(): void {
    this.watchList.offline();
  }

  signOut(): Promise<void> {
    return this.watchList.stopAll();
  }

  private view(record: ContactRecord, decision: Contact['decision']): Contact {
    const state = this.watchList.get(record.uri);
    return {
      id: record.id,
      uri: record.uri,
      address: parseSipAddress(record.uri)?.address ?? record.uri,
      displayName: record.displayName,
      groupId: record.groupId,
      blocked: decision === 'blocked',
      decision,
      subscription: state.subscription,
      presence: state.presence,
    };
  }

  private onPresence(uri: string, state: WatchState): void {
    const owner = this.owner;
    const record = owner && findContact(this.db, owner, uri);
    if (!record) return;
    this.pendingPresence.set(record.id, { id: record.id, subscription: state.subscription, presence: state.presence });
    // Batch bursts (sign-in with hundreds of contacts) into few events.
    this.flushTimer ??= setTimeout(() => {
      this.flushTimer = undefined;
      const changes = [...this.pendingPresence.values()];
      this.pendingPresence = new Map();
      this.events.presence(changes);
    }, 16);
  }
}
