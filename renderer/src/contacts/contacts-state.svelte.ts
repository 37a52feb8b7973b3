import {
  approvalNotice,
  type ApprovalAnswer,
  type ApprovalPage,
  type ApprovalRequest,
  type Contact,
  type ContactGroup,
} from '../../../shared/domain/contacts';
import { availabilityLabel, presenceText, type MyPresence, type MyStatus } from '../../../shared/domain/presence';
import type { ParleyApi } from '../../../shared/ipc/contract';
import type { Result } from '../../../shared/ipc/result';
import { isOnline } from './status';
import { parseSipAddress } from '../../../shared/domain/sip-address';
import { Subscriptions } from '../shell/subscriptions';
import { t } from '../../../shared/i18n/format';

/** What a contact's line says about them (while Parley is not connected, nothing is known). */
export function contactStatusText(contact: Contact, connected = true): string {
  if (!connected) return t('contact.status.unknown');
  if (contact.subscription === 'pending') return t('contact.status.pending');
  if (contact.subscription === 'rejected') return t('contact.status.rejected');
  if (contact.subscription === 'active') return presenceText(contact.presence);
  if (contact.subscription === 'subscribing') return t('contact.status.subscribing');
  if (contact.subscription === 'failed') return t('contact.status.unknown');
  return availabilityLabel('offline');
}

/** The name to show for a contact: mine for them, else the network's, else their address. */
export function contactName(contact: Contact): string {
  return contact.displayName || contact.networkName || contact.address;
}

/**
 * The name to show for a group: the default group (made by Parley, never renamed) is named in the
 * page's language; the others have the names people gave them.
 */
export function groupLabel(group: Pick<ContactGroup, 'name' | 'isDefault'>): string {
  return group.isDefault ? t('contacts.heading') : group.name;
}

/** What I share with a contact, in words (the card says it). */
export function sharingText(contact: Contact): string {
  return t(`contact.sharing.${contact.decision}`);
}

/** Buddy list, approval inbox and my presence, kept current by main's events. */
export class ContactsState {
  /** What this state subscribed to (released by dispose()). */
  private readonly subscriptions = new Subscriptions();
  groups = $state<readonly ContactGroup[]>([]);
  contacts = $state<readonly Contact[]>([]);
  /** The inbox as far as it is shown (the first page, and more pages once asked for). */
  approvals = $state<readonly ApprovalRequest[]>([]);
  /** How many requests wait in all. */
  approvalsTotal = $state(0);
  myPresence = $state<MyPresence | null>(null);

  query = $state('');
  /** The latest request, for a notice that goes once that request is answered. */
  notice = $state<{ readonly text: string; readonly uri: string } | null>(null);
  /**
   * Web mode only: the browser's notification permission ('unsupported' without the API). On the
   * desktop the shell shows system notifications itself.
   */
  browserNotifications = $state<NotificationPermission | 'unsupported' | 'desktop'>('desktop');

  /**
   * Groups with their (filtered, sorted) contacts: within a group, people who are online first,
   * then by name. While searching, only groups with matches show (and show open); otherwise every
   * group shows, except an empty default group.
   */
  readonly visibleGroups = $derived.by(() => {
    const q = this.query.trim().toLowerCase();
    const matches = (c: Contact) =>
      !q || contactName(c).toLowerCase().includes(q) || c.address.toLowerCase().includes(q) || c.presence.note.toLowerCase().includes(q);
    const connected = this.connected;
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a lookup local to this computation
    const byGroup = new Map<number, Contact[]>();
    for (const contact of this.contacts) {
      if (!matches(contact)) continue;
      const list = byGroup.get(contact.groupId);
      if (list) list.push(contact);
      else byGroup.set(contact.groupId, [contact]);
    }
    const collator = new Intl.Collator(undefined, { sensitivity: 'base' });
    return this.groups
      .map((group) => {
        const contacts = (byGroup.get(group.id) ?? [])
          .map((contact) => ({ contact, online: connected && isOnline(contact), name: contactName(contact) }))
          .sort((a, b) => Number(b.online) - Number(a.online) || collator.compare(a.name, b.name))
          .map((entry) => entry.contact);
        const online = connected ? contacts.filter(isOnline).length : 0;
        return { group, contacts, online, open: q !== '' || !group.collapsed };
      })
      .filter((entry) => (q ? entry.contacts.length > 0 : entry.contacts.length > 0 || !entry.group.isDefault));
  });

  constructor(
    private readonly api: ParleyApi,
    private readonly isConnected: () => boolean = () => true,
  ) {
    this.subscriptions.add(
      api.on('onDidChangeContacts', (list) => {
        this.groups = list.groups;
        this.contacts = list.contacts;
      }),
    );
    this.subscriptions.add(
      api.on('onDidChangeContactPresence', (changes) => {
        // A lookup table local to this handler, not reactive state.
        // eslint-disable-next-line svelte/prefer-svelte-reactivity
        const byId = new Map(changes.map((change) => [change.id, change]));
        this.contacts = this.contacts.map((c) => {
          const change = byId.get(c.id);
          return change ? { ...c, subscription: change.subscription, presence: change.presence } : c;
        });
      }),
    );
    this.subscriptions.add(api.on('onDidChangeApprovals', (page) => this.applyPage(page)));
    this.subscriptions.add(
      api.on('onDidReceiveApprovalRequests', ({ count, first }) => {
        const text = approvalNotice(count, first.displayName || first.address);
        this.notice = { text, uri: first.uri };
        // In web mode the page is the only one that can notify; not in Do not disturb. One
        // notification per burst (main coalesces them), replacing the previous one.
        if (this.browserNotifications === 'granted' && this.myPresence?.status !== 'dnd') {
          new Notification(t('notifications.request'), { body: text, tag: 'approval-requests' });
        }
      }),
    );
    this.subscriptions.add(
      api.on('onDidChangeMyPresence', (presence) => {
        this.myPresence = presence;
      }),
    );
  }

  /** Stops listening to main (the window is going away). */
  dispose(): void {
    this.subscriptions.dispose();
  }

  /**
   * Whether Parley is registered. While it is not (reconnecting, signing out), what the list last
   * heard may be stale: it shows presence as unknown rather than an old green dot.
   */
  get connected(): boolean {
    return this.isConnected();
  }

  /** Fetches everything once; each answer is applied as it arrives, in order with the events (see AppState.load). */
  async load(): Promise<void> {
    await Promise.all([
      this.api.contacts.list().then((list) => {
        if (!list.ok) return;
        this.groups = list.value.groups;
        this.contacts = list.value.contacts;
      }),
      this.api.approvals.list().then((page) => {
        if (page.ok) this.applyPage(page.value);
      }),
      this.api.presence.getMine().then((mine) => {
        if (mine.ok) this.myPresence = mine.value;
      }),
    ]);
  }

  /** Web mode: learn whether the browser may show notifications. */
  useBrowserNotifications(): void {
    this.browserNotifications = typeof Notification === 'undefined' ? 'unsupported' : Notification.permission;
  }

  /** Web mode: ask the browser for permission (must follow a click). */
  async enableBrowserNotifications(): Promise<void> {
    if (typeof Notification === 'undefined') return;
    this.browserNotifications = await Notification.requestPermission();
  }

  setMyStatus(status: MyStatus): Promise<Result<MyPresence>> {
    return this.apply(this.api.presence.setMine({ status }));
  }

  setNote(note: string): Promise<Result<MyPresence>> {
    return this.apply(this.api.presence.setMine({ status: this.myPresence?.status ?? 'available', note }));
  }

  setIdleMinutes(minutes: number): Promise<Result<MyPresence>> {
    return this.apply(this.api.presence.setIdleMinutes({ minutes }));
  }

  reportActivity(): void {
    void this.api.presence.reportActivity();
  }

  add(address: string, displayName: string, groupId: number | undefined): Promise<Result<Contact>> {
    return this.api.contacts.add({ address, displayName, ...(groupId !== undefined ? { groupId } : {}) });
  }

  remove(id: number) {
    return this.api.contacts.remove({ id });
  }

  update(id: number, changes: { displayName?: string; groupId?: number; phones?: { work?: string; mobile?: string } }) {
    return this.api.contacts.update({ id, ...changes });
  }

  askAgain(id: number) {
    return this.api.contacts.askAgain({ id });
  }

  setBlocked(id: number, blocked: boolean) {
    return this.api.contacts.setBlocked({ id, blocked });
  }

  createGroup(name: string) {
    return this.api.groups.create({ name });
  }

  renameGroup(id: number, name: string) {
    return this.api.groups.rename({ id, name });
  }

  deleteGroup(id: number) {
    return this.api.groups.delete({ id });
  }

  /** Folds a group away or opens it; shown at once, remembered by main. */
  async setGroupCollapsed(id: number, collapsed: boolean) {
    this.groups = this.groups.map((g) => (g.id === id ? { ...g, collapsed } : g));
    const result = await this.api.groups.setCollapsed({ id, collapsed });
    if (!result.ok) this.groups = this.groups.map((g) => (g.id === id ? { ...g, collapsed: !collapsed } : g));
    return result;
  }

  /** Contacts by their SIP URI (chat, notifications and requests look people up by address). */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- rebuilt whole when the list changes
  readonly byUri = $derived(new Map(this.contacts.map((c) => [c.uri, c] as const)));

  /** Contacts by phone number (E.164): a call from the phone network is named by the contact with its number. */
  readonly byNumber = $derived(
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- rebuilt whole when the list changes
    new Map(this.contacts.flatMap((c) => Object.values(c.phones).map((number) => [number, c] as const)).reverse()),
  );

  /** The name to show for `uri`: the contact's, or the address for someone not in my contacts. */
  nameFor(uri: string): string {
    const contact = this.byUri.get(uri);
    return contact ? contactName(contact) : (parseSipAddress(uri)?.address ?? uri);
  }

  /** Who a contact id is now (undefined once removed). */
  byId(id: number): Contact | undefined {
    return this.contacts.find((c) => c.id === id);
  }

  async answer(uri: string, answer: ApprovalAnswer) {
    const result = await this.api.approvals.answer({ uri, answer });
    if (!result.ok) return result;
    // Gone from the inbox at once (the next page from main confirms it), so that the focus can move
    // to the next request now.
    if (this.approvals.some((r) => r.uri === uri)) {
      this.approvals = this.approvals.filter((r) => r.uri !== uri);
      this.approvalsTotal = Math.max(0, this.approvalsTotal - 1);
    }
    if (this.notice?.uri === uri || this.approvalsTotal === 0) this.notice = null;
    return result;
  }

  /** Declines or blocks every waiting request, or those from one domain. */
  async answerAll(answer: 'decline' | 'block', domain?: string) {
    const result = await this.api.approvals.answerAll({ answer, ...(domain ? { domain } : {}) });
    if (result.ok && !domain) this.notice = null;
    return result;
  }

  /** Shows the next page of the inbox below the ones shown. */
  async showMoreApprovals(): Promise<void> {
    const page = await this.api.approvals.list({ offset: this.approvals.length });
    if (!page.ok) return;
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a lookup, not state
    const known = new Set(this.approvals.map((r) => r.uri));
    this.approvals = [...this.approvals, ...page.value.requests.filter((r) => !known.has(r.uri))];
    this.approvalsTotal = page.value.total;
  }

  private applyPage(page: ApprovalPage): void {
    // The first page replaces what is shown; pages the person opened below it are kept only for
    // requests still waiting (the total says which are gone).
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a lookup, not state
    const first = new Set(page.requests.map((r) => r.uri));
    const more = this.approvals.slice(page.requests.length).filter((r) => !first.has(r.uri));
    this.approvals = page.total > page.requests.length ? [...page.requests, ...more].slice(0, page.total) : page.requests;
    this.approvalsTotal = page.total;
    // The notice is about a request; once nothing waits it has nothing left to say.
    if (page.total === 0) this.notice = null;
  }

  private async apply(request: Promise<Result<MyPresence>>): Promise<Result<MyPresence>> {
    const result = await request;
    if (result.ok) this.myPresence = result.value;
    return result;
  }
}
