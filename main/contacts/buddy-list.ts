import { CONTACT_NAME_MAX, type Contact, type ContactGroup, type ContactList } from '../../shared/domain/contacts.js';
import { cleanText } from '../../shared/domain/text.js';
import { parseSipAddress } from '../../shared/domain/sip-address.js';
import { err, ok, type Result } from '../../shared/ipc/result.js';
import { Problem } from '../../shared/domain/problem.js';
import type { ApprovalService } from '../approvals/approvals.js';
import type { PresenceWatchService } from '../presence/presence-watch.js';
import type { ContactRecord, WatcherRecord } from '../store/contacts-repository.js';
import type { ContactDirectory, TypedPhones } from './contact-directory.js';

/**
 * The buddy list as the person sees it: the directory's contacts and groups, each contact with its
 * presence (from the watch service) and what I decided about them seeing me (from approvals). Holds
 * no state of its own; it composes the three services behind the `contacts:*` and `groups:*`
 * channels.
 */
export class BuddyList {
  constructor(
    private readonly directory: ContactDirectory,
    private readonly watch: PresenceWatchService,
    private readonly approvals: ApprovalService,
  ) {}

  /** The whole list with presence (empty when signed out). */
  list(): ContactList {
    const watchers = new Map(this.approvals.watchers().map((w) => [w.uri, w] as const));
    return {
      groups: this.directory.groups(),
      contacts: this.directory.contacts().map((record) => this.view(record, watchers.get(record.uri))),
    };
  }

  /** One contact as the list shows it. */
  contact(id: number): Contact | undefined {
    const record = this.directory.get(id);
    return record && this.view(record, this.approvals.watcher(record.uri));
  }

  /** Adds a contact by SIP address and starts watching their presence. */
  add(params: { address: string; displayName?: string; groupId?: number }): Result<Contact> {
    const added = this.directory.add(params);
    return added.ok ? ok(this.contact(added.value.id)!) : added;
  }

  /** Removes a contact (their subscription ends). */
  remove(id: number): Result<void> {
    const removed = this.directory.remove(id);
    return removed.ok ? ok(undefined) : removed;
  }

  /** Renames a contact or moves it to another group. */
  update(id: number, changes: { displayName?: string; groupId?: number; phones?: TypedPhones }): Result<Contact> {
    const updated = this.directory.update(id, changes);
    return updated.ok ? ok(this.contact(id)!) : updated;
  }

  /** Blocks a contact from seeing my presence, or lets them see it again (also answers a waiting request). */
  async setBlocked(id: number, blocked: boolean): Promise<Result<Contact>> {
    const record = this.directory.get(id);
    if (!record) return err('invalid', Problem.ContactMissing);
    const written = await this.approvals.decide(record.uri, blocked ? 'blocked' : 'allowed');
    if (!written.ok) return written;
    return ok(this.contact(id)!);
  }

  /** Subscribes again to a contact's presence now (after "Not sharing presence"). */
  askAgain(id: number): Result<void> {
    const record = this.directory.get(id);
    if (!record) return err('invalid', Problem.ContactMissing);
    this.watch.retry(record.uri);
    return ok(undefined);
  }

  createGroup(name: string): Result<ContactGroup> {
    return this.directory.createGroup(name);
  }

  renameGroup(id: number, name: string): Result<ContactGroup> {
    return this.directory.renameGroup(id, name);
  }

  deleteGroup(id: number): Result<void> {
    return this.directory.deleteGroup(id);
  }

  setGroupCollapsed(id: number, collapsed: boolean): Result<void> {
    return this.directory.setGroupCollapsed(id, collapsed);
  }

  private view(record: ContactRecord, watcher: WatcherRecord | undefined): Contact {
    const state = this.watch.stateOf(record.uri);
    const decision = watcher?.decision ?? 'none';
    return {
      id: record.id,
      uri: record.uri,
      address: parseSipAddress(record.uri)?.address ?? record.uri,
      displayName: record.displayName,
      networkName: cleanText(watcher?.displayName ?? '', CONTACT_NAME_MAX),
      groupId: record.groupId,
      phones: record.phones,
      blocked: decision === 'blocked',
      decision,
      subscription: state.subscription,
      presence: state.presence,
    };
  }
}
