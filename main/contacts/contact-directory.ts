import { Problem } from '../../shared/domain/problem.js';
import type { Database } from 'better-sqlite3';
import {
  CONTACT_NAME_MAX,
  contactNameError,
  groupNameError,
  PHONE_KINDS,
  type ContactGroup,
  type ContactPhones,
} from '../../shared/domain/contacts.js';
import { numberOf, toE164 } from '../../shared/domain/phone.js';
import { cleanText } from '../../shared/domain/text.js';
import { completeAddress, parseSipAddress } from '../../shared/domain/sip-address.js';
import { err, ok, type Result } from '../../shared/ipc/result.js';
import { Emitter } from '../base/emitter.js';
import {
  createGroup,
  deleteContact,
  deleteGroup,
  ensureDefaultGroup,
  findContact,
  findContactByPhone,
  findGroupByName,
  getContact,
  groupExists,
  insertContact,
  listContacts,
  listGroups,
  renameGroup,
  setGroupCollapsed,
  updateContact,
  type ContactRecord,
} from '../store/contacts-repository.js';

/** Phone numbers as the person typed them. */
export type TypedPhones = { readonly [K in keyof ContactPhones]?: string | undefined };

/** What changed in the directory. */
export type DirectoryChange =
  | { readonly kind: 'added'; readonly contact: ContactRecord }
  | { readonly kind: 'removed'; readonly contact: ContactRecord }
  | { readonly kind: 'updated'; readonly contact: ContactRecord }
  | { readonly kind: 'groups' };

/**
 * The people I keep, per signed-in account (`owner`): contacts by normalised SIP URI, in named
 * groups, kept in SQLite. Knows nothing of presence or authorisation; it answers "who is this
 * address?" for every domain (chat and calls show names from here) and says what changed.
 */
export class ContactDirectory {
  private readonly changes = new Emitter<DirectoryChange>();
  /** Listens to changes of the directory. */
  readonly onDidChange = this.changes.event;

  constructor(
    private readonly db: Database,
    private readonly owner: () => string | undefined,
    /** The country whose national numbers a contact's phone numbers may be typed in. */
    private readonly defaultCountry: () => string | undefined = () => undefined,
  ) {}

  /** The owner's contacts, oldest first (empty when signed out). */
  contacts(): ContactRecord[] {
    const owner = this.owner();
    return owner ? listContacts(this.db, owner) : [];
  }

  /** The owner's groups, the default first (empty when signed out). */
  groups(): ContactGroup[] {
    const owner = this.owner();
    return owner ? listGroups(this.db, owner) : [];
  }

  get(id: number): ContactRecord | undefined {
    const owner = this.owner();
    return owner ? getContact(this.db, owner, id) : undefined;
  }

  /** The contact with this address, however it is written (`Bob@Example.com`, `sip:bob@example.com`). */
  findByAddress(address: string): ContactRecord | undefined {
    const owner = this.owner();
    const parsed = parseSipAddress(address);
    if (!owner || !parsed) return undefined;
    // Stored URIs are normalised the same way, so the address under either scheme is the whole
    // search: two indexed lookups, not a scan of the list (this runs for every incoming message).
    return (
      findContact(this.db, owner, parsed.uri) ??
      findContact(this.db, owner, `${parsed.scheme === 'sip' ? 'sips' : 'sip'}:${parsed.address}`)
    );
  }

  /** The contact with this phone number (E.164), as a call from the phone network carries it. */
  findByPhone(number: string): ContactRecord | undefined {
    const owner = this.owner();
    const e164 = numberOf(number);
    return owner && e164 ? findContactByPhone(this.db, owner, e164) : undefined;
  }

  /** Adds a contact by SIP address (normalised; myself and duplicates refused). */
  add(params: { address: string; displayName?: string; groupId?: number }): Result<ContactRecord> {
    const owner = this.owner();
    if (!owner) return err('state', Problem.SignInToAddContacts);
    // A bare name is a colleague on my own server: "bob" is bob@<my domain>.
    const address = parseSipAddress(completeAddress(params.address, parseSipAddress(owner)?.host ?? ''));
    if (!address) return err('invalid', Problem.NotSipAddress, 'address');
    if (address.address === parseSipAddress(owner)?.address) return err('invalid', Problem.OwnAddress, 'address');
    if (this.findByAddress(address.uri))
      return err('invalid', Problem.AlreadyContact, { field: 'address', values: { address: address.address } });
    // Checked as typed (a control character is refused, not silently changed), then cleaned of
    // invisible format characters such as bidi overrides.
    const nameProblem = contactNameError((params.displayName ?? '').trim());
    const displayName = cleanText(params.displayName ?? '', CONTACT_NAME_MAX);
    if (nameProblem) return err('invalid', nameProblem.problem, { field: 'displayName', ...nameProblem });
    const groupId = params.groupId ?? ensureDefaultGroup(this.db, owner);
    if (!groupExists(this.db, owner, groupId)) return err('invalid', Problem.GroupMissing, 'group');
    const id = insertContact(this.db, owner, address.uri, displayName, groupId);
    const contact = getContact(this.db, owner, id)!;
    this.changes.fire({ kind: 'added', contact });
    return ok(contact);
  }

  /** Removes a contact. */
  remove(id: number): Result<ContactRecord> {
    const owner = this.owner();
    const contact = owner ? getContact(this.db, owner, id) : undefined;
    if (!owner || !contact) return err('invalid', Problem.ContactMissing);
    deleteContact(this.db, owner, id);
    this.changes.fire({ kind: 'removed', contact });
    return ok(contact);
  }

  /** Renames a contact, moves it to another group or sets its phone numbers. */
  update(id: number, changes: { displayName?: string; groupId?: number; phones?: TypedPhones }): Result<ContactRecord> {
    const owner = this.owner();
    if (!owner || !getContact(this.db, owner, id)) return err('invalid', Problem.ContactMissing);
    if (changes.groupId !== undefined && !groupExists(this.db, owner, changes.groupId))
      return err('invalid', Problem.GroupMissing, 'group');
    const nameProblem = changes.displayName === undefined ? null : contactNameError(changes.displayName.trim());
    const displayName = changes.displayName === undefined ? undefined : cleanText(changes.displayName, CONTACT_NAME_MAX);
    if (nameProblem) return err('invalid', nameProblem.problem, { field: 'displayName', ...nameProblem });
    const phones = changes.phones === undefined ? undefined : this.phonesFrom(changes.phones);
    if (phones && !phones.ok) return phones;
    updateContact(this.db, owner, id, {
      ...(displayName !== undefined ? { displayName } : {}),
      ...(changes.groupId !== undefined ? { groupId: changes.groupId } : {}),
      ...(phones ? { phones: phones.value } : {}),
    });
    const contact = getContact(this.db, owner, id)!;
    this.changes.fire({ kind: 'updated', contact });
    return ok(contact);
  }

  /** Numbers as typed (national in my country, or international) → E.164; an empty box clears that number. */
  private phonesFrom(typed: TypedPhones): Result<ContactPhones> {
    const phones: { -readonly [K in keyof ContactPhones]: string } = {};
    for (const kind of PHONE_KINDS) {
      const text = typed[kind]?.trim() ?? '';
      if (text === '') continue;
      const e164 = toE164(text, this.defaultCountry());
      if (!e164) {
        const country = text.startsWith('+') ? 'given' : 'missing';
        return err('invalid', Problem.NotPhoneNumber, { field: `${kind}Phone`, values: { kind, country } });
      }
      phones[kind] = e164;
    }
    return ok(phones);
  }

  createGroup(name: string): Result<ContactGroup> {
    const owner = this.owner();
    if (!owner) return err('state', Problem.SignInFirst);
    const problem = groupNameError(name);
    if (problem) return err('invalid', problem.problem, { field: 'name', ...problem });
    if (findGroupByName(this.db, owner, name.trim()))
      return err('invalid', Problem.GroupExists, { field: 'name', values: { name: name.trim() } });
    const id = createGroup(this.db, owner, name.trim());
    this.changes.fire({ kind: 'groups' });
    return ok({ id, name: name.trim(), isDefault: false, collapsed: false });
  }

  renameGroup(id: number, name: string): Result<ContactGroup> {
    const owner = this.owner();
    if (!owner) return err('state', Problem.SignInFirst);
    const problem = groupNameError(name);
    if (problem) return err('invalid', problem.problem, { field: 'name', ...problem });
    const clash = findGroupByName(this.db, owner, name.trim());
    if (clash && clash.id !== id) return err('invalid', Problem.GroupExists, { field: 'name', values: { name: name.trim() } });
    if (!renameGroup(this.db, owner, id, name.trim())) return err('invalid', Problem.GroupMissing);
    this.changes.fire({ kind: 'groups' });
    return ok(listGroups(this.db, owner).find((g) => g.id === id)!);
  }

  /** Folds a group away in the list or opens it (remembered). */
  setGroupCollapsed(id: number, collapsed: boolean): Result<void> {
    const owner = this.owner();
    if (!owner) return err('state', Problem.SignInFirst);
    if (!setGroupCollapsed(this.db, owner, id, collapsed)) return err('invalid', Problem.GroupMissing);
    this.changes.fire({ kind: 'groups' });
    return ok(undefined);
  }

  /** Deletes a group; its contacts move to the default group. */
  deleteGroup(id: number): Result<void> {
    const owner = this.owner();
    if (!owner) return err('state', Problem.SignInFirst);
    if (!deleteGroup(this.db, owner, id)) return err('invalid', Problem.DefaultGroupStays);
    this.changes.fire({ kind: 'groups' });
    return ok(undefined);
  }
}
