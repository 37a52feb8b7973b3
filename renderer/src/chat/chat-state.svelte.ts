import {
  HISTORY_PAGE,
  directPeer,
  inArrivalOrder,
  type ChatMessage,
  type Conversation,
  type ConversationId,
  type ConversationSummary,
} from '../../../shared/domain/chat';
import type { ParleyApi } from '../../../shared/ipc/contract';
import type { Result } from '../../../shared/ipc/result';
import { Subscriptions } from '../shell/subscriptions';

/** One open (or once opened) conversation: the messages loaded so far, oldest first. */
export interface ConversationView {
  readonly messages: readonly ChatMessage[];
  /** False once the oldest message has been loaded. */
  readonly more: boolean;
  /**
   * True while later messages exist than those loaded (opened at a search result, far back): what
   * arrives meanwhile waits for the person to read forward, instead of appearing after a gap.
   */
  readonly newer: boolean;
}

/**
 * The most messages one conversation keeps in the page while new ones arrive: past it the oldest go
 * (they load again on scrolling up). A burst of thousands from one contact must not grow the page
 * without bound, nor make each arrival cost more than the last.
 */
export const VIEW_MAX = 400;

/** How often, at most, the conversation on screen is marked read while messages pour in (ms). */
const MARK_READ_MS = 1_000;

/** Conversations, their loaded history and unread counts, kept current by main's events. */
export class ChatState {
  /** What this state subscribed to (released by dispose()). */
  private readonly subscriptions = new Subscriptions();
  summaries = $state<readonly ConversationSummary[]>([]);
  /** Conversations this page knows (listed, or opened), by id: who is in each. */
  known = $state<Record<ConversationId, Conversation>>({});
  views = $state<Record<ConversationId, ConversationView>>({});
  /** The conversation on screen now (its new messages are read as they arrive). */
  showing = $state<ConversationId | null>(null);
  /** The message a search result opened the conversation at (shown highlighted). */
  highlight = $state<number | null>(null);
  /** Who is typing to me now, in each conversation. */
  typing = $state<Record<ConversationId, readonly string[]>>({});
  private typingToldAt = 0;
  /** Called for each message that arrives (the window decides about a browser notification). */
  onIncoming: ((message: ChatMessage) => void) | null = null;

  readonly totalUnread = $derived(this.summaries.reduce((sum, s) => sum + s.unread, 0));

  constructor(
    private readonly api: ParleyApi,
    private readonly isContact: (uri: string) => boolean,
  ) {
    this.subscriptions.add(api.on('onDidChangeMessages', (messages) => this.apply(messages)));
    this.subscriptions.add(
      api.on('onDidChangeConversations', (list) => {
        this.list(list);
        // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a lookup, not state
        const live = new Set<number>(list.map((s) => s.id));
        // A deleted conversation's loaded messages go (one still open keeps its id, now empty).
        this.views = Object.fromEntries(Object.entries(this.views).filter(([id]) => live.has(Number(id)))) as typeof this.views;
      }),
    );
    this.subscriptions.add(
      api.on('onDidChangeTyping', ({ conversationId, sender, typing }) => {
        const others = (this.typing[conversationId] ?? []).filter((uri) => uri !== sender);
        this.typing = { ...this.typing, [conversationId]: typing ? [...others, sender] : others };
      }),
    );
  }

  /** Takes a new conversation list (and remembers who is in each). */
  private list(list: readonly ConversationSummary[]): void {
    this.summaries = list;
    const known = { ...this.known };
    for (const { id, kind, members } of list) known[id] = { id, kind, members };
    this.known = known;
  }

  /** The direct conversation with `peer` (asked of main the first time). */
  async conversationWith(peer: string): Promise<Conversation | undefined> {
    const found = Object.values(this.known).find((c) => directPeer(c) === peer);
    if (found) return found;
    const made = await this.api.chat.with({ peer });
    if (!made.ok) return undefined;
    this.known = { ...this.known, [made.value.id]: made.value };
    return made.value;
  }

  /** A conversation by id (asked of main when this page has not seen it yet). */
  async conversation(id: ConversationId): Promise<Conversation | undefined> {
    const known = this.known[id];
    if (known) return known;
    const found = await this.api.chat.get({ conversationId: id });
    if (!found.ok) return undefined;
    this.known = { ...this.known, [id]: found.value };
    return found.value;
  }

  /** Stops listening to main (the window is going away). */
  dispose(): void {
    this.subscriptions.dispose();
  }

  async load(): Promise<void> {
    const list = await this.api.chat.conversations();
    if (list.ok) this.list(list.value);
  }

  /** Unread counts of direct conversations by the other person (each contact row reads one). */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- rebuilt whole when the summaries change
  private readonly unreadByPeer = $derived(new Map(this.summaries.map((s) => [directPeer(s), s.unread] as const)));
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- rebuilt whole when the summaries change
  private readonly unreadById = $derived(new Map(this.summaries.map((s) => [s.id, s.unread] as const)));

  /** How many messages from `peer` wait unread (their direct conversation). */
  unreadFrom(peer: string): number {
    return this.unreadByPeer.get(peer) ?? 0;
  }

  /** How many messages wait unread in a conversation. */
  unreadIn(id: ConversationId): number {
    return this.unreadById.get(id) ?? 0;
  }

  /** Opens a conversation: its latest page, and everything in it read. */
  async open(id: ConversationId): Promise<void> {
    this.showing = id;
    if (!this.views[id]) {
      const page = await this.api.chat.history({ conversationId: id });
      if (page.ok) {
        this.views = {
          ...this.views,
          [id]: { messages: inArrivalOrder(page.value), more: page.value.length === HISTORY_PAGE, newer: false },
        };
      }
    }
    await this.markRead(id);
  }

  close(): void {
    this.showing = null;
    this.highlight = null;
  }

  /** Opens a conversation at a message (a search result): the messages around it, it highlighted. */
  async openAt(conversation: ConversationId, id: number): Promise<void> {
    const page = await this.api.chat.history({ conversationId: conversation, around: id });
    if (!page.ok) return;
    // Half a page before it, then up to a page from it on: a full one means more follow.
    const fromIt = page.value.filter((m) => m.id >= id).length;
    this.views = { ...this.views, [conversation]: { messages: inArrivalOrder(page.value), more: true, newer: fromIt === HISTORY_PAGE } };
    this.highlight = id;
  }

  search(query: string) {
    return this.api.chat.search({ query });
  }

  /** Loads the page before the oldest one shown (one load at a time per conversation). */
  loadEarlier(id: ConversationId): Promise<void> {
    return this.loadPage(id, 'earlier');
  }

  /** Loads the page after the newest one shown (reading forward from a search result). */
  loadLater(id: ConversationId): Promise<void> {
    return this.loadPage(id, 'later');
  }

  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a guard, not state
  private readonly loading = new Set<ConversationId>();

  private async loadPage(conversationId: ConversationId, which: 'earlier' | 'later'): Promise<void> {
    const view = this.views[conversationId];
    if (!view || this.loading.has(conversationId) || !(which === 'earlier' ? view.more : view.newer)) return;
    // Pages follow ids (the order messages were stored in), whatever order they are shown in.
    const ids = view.messages.map((m) => m.id);
    if (ids.length === 0) return;
    this.loading.add(conversationId);
    try {
      const page = await this.api.chat.history(
        which === 'earlier' ? { conversationId, before: Math.min(...ids) } : { conversationId, after: Math.max(...ids) },
      );
      if (!page.ok) return;
      const current = this.views[conversationId] ?? view;
      // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a lookup, not state
      const known = new Set(current.messages.map((m) => m.id));
      const full = page.value.length === HISTORY_PAGE;
      this.views = {
        ...this.views,
        [conversationId]: {
          messages: inArrivalOrder([...current.messages, ...page.value.filter((m) => !known.has(m.id))]),
          more: which === 'earlier' ? full : current.more,
          newer: which === 'later' ? full : current.newer,
        },
      };
    } finally {
      this.loading.delete(conversationId);
    }
  }

  send(conversationId: ConversationId, text: string): Promise<Result<ChatMessage>> {
    return this.api.chat.send({ conversationId, text });
  }

  /** The draft changed: tell main I am typing (at most every few seconds) or that I stopped. */
  draftChanged(conversationId: ConversationId, draft: string): void {
    const now = Date.now();
    if (draft === '') {
      this.typingToldAt = 0;
      void this.api.chat.typing({ conversationId, active: false });
    } else if (now - this.typingToldAt > 5_000) {
      this.typingToldAt = now;
      void this.api.chat.typing({ conversationId, active: true });
    }
  }

  /** A message went: the next keystroke starts a new typing spell. */
  sent(): void {
    this.typingToldAt = 0;
  }

  /** Message requests: take them as a contact. */
  accept(conversationId: ConversationId) {
    return this.api.chat.accept({ conversationId });
  }

  /** Message requests: refuse their messages from now on (what they sent goes). */
  block(conversationId: ConversationId) {
    return this.api.chat.block({ conversationId });
  }

  /** Deletes a conversation. */
  remove(conversationId: ConversationId) {
    return this.api.chat.delete({ conversationId });
  }

  retry(id: number) {
    return this.api.chat.retry({ id });
  }

  /** A mark-read of the conversation on screen is waiting (one per second while messages pour in). */
  private markReadTimer: ReturnType<typeof setTimeout> | undefined;
  private markReadAgain = false;

  /** Marks the conversation on screen read now, then at most once per MARK_READ_MS while asked again. */
  private markShowingRead(): void {
    if (this.markReadTimer) {
      this.markReadAgain = true;
      return;
    }
    const conversationId = this.showing;
    if (conversationId !== null) void this.api.chat.markRead({ conversationId });
    this.markReadTimer = setTimeout(() => {
      this.markReadTimer = undefined;
      if (!this.markReadAgain) return;
      this.markReadAgain = false;
      this.markShowingRead();
    }, MARK_READ_MS);
  }

  private async markRead(conversationId: ConversationId): Promise<void> {
    if (this.unreadIn(conversationId) === 0) return;
    this.summaries = this.summaries.map((s) => (s.id === conversationId ? { ...s, unread: 0 } : s));
    await this.api.chat.markRead({ conversationId });
  }

  private apply(messages: readonly ChatMessage[]): void {
    // One pass per batch, whatever its size: each changed view is copied once, with an index of its
    // messages by id; new ones are appended (they come in arrival order) and sorted only if one
    // arrived out of order; the oldest go past VIEW_MAX.
    const views = { ...this.views };
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- scratch work for this batch, not state
    const working = new Map<ConversationId, { list: ChatMessage[]; index: Map<number, number>; sorted: boolean }>();
    const loaded = (id: ConversationId) => {
      const view = views[id];
      if (!view) return undefined;
      let work = working.get(id);
      if (!work) {
        const list = [...view.messages];
        // eslint-disable-next-line svelte/prefer-svelte-reactivity -- scratch work for this batch, not state
        work = { list, index: new Map(list.map((m, i) => [m.id, i])), sorted: true };
        working.set(id, work);
      }
      return { view, work };
    };
    const summaries = [...this.summaries];
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- scratch work for this batch, not state
    const summaryAt = new Map(summaries.map((s, i) => [s.id, i]));
    let unknown = false;
    for (const message of messages) {
      const id = message.conversationId;
      const found = loaded(id);
      const known = found?.work.index.has(message.id) ?? false;
      if (found) {
        const { view, work } = found;
        const at = work.index.get(message.id);
        if (at !== undefined) work.list[at] = message;
        // Read forward from a search result: a new message comes when the reader gets there. One
        // older than what is loaded (a receipt for a message scrolled out) waits for scrolling up.
        else if (!view.newer && !(work.list.length > 0 && message.id < work.list[0]!.id && view.more)) {
          if (work.list.length > 0 && work.list[work.list.length - 1]!.id > message.id) work.sorted = false;
          work.index.set(message.id, work.list.length);
          work.list.push(message);
        }
      }
      const index = summaryAt.get(id);
      const isNew = message.direction === 'in' && message.state === 'received' && !known;
      const unreadBump = isNew && this.showing !== id ? 1 : 0;
      if (isNew) this.onIncoming?.(message);
      if (index !== undefined) {
        const summary = summaries[index]!;
        const last = message.id >= summary.last.id ? message : summary.last;
        summaries[index] = { ...summary, last, unread: summary.unread + unreadBump };
      } else {
        // A conversation this page has not listed yet: who is in it is known (opened here), or
        // asked of main with the whole list once this batch is in.
        const conversation = this.known[id];
        if (!conversation) unknown = true;
        const { kind, members } = conversation ?? { kind: 'direct' as const, members: message.direction === 'in' ? [message.sender] : [] };
        const peer = directPeer({ kind, members });
        summaryAt.set(id, summaries.length);
        summaries.push({
          id,
          kind,
          members,
          last: message,
          unread: unreadBump,
          stranger: peer !== undefined && !this.isContact(peer),
        });
      }
    }
    for (const [id, work] of working) {
      const view = views[id]!;
      const ordered = work.sorted ? work.list : inArrivalOrder(work.list);
      // Past the bound the oldest go; they load again when the person scrolls up.
      const trimmed = ordered.length > VIEW_MAX && !view.newer;
      views[id] = { ...view, messages: trimmed ? ordered.slice(-VIEW_MAX) : ordered, more: view.more || trimmed };
    }
    this.views = views;
    this.summaries = summaries.sort((a, b) => b.last.id - a.last.id);
    if (unknown) void this.load();
    // Messages that arrive in the conversation on screen are read at once — told to main at most
    // once a second while they pour in (each mark-read sends every window the conversation list).
    const showing = this.showing;
    if (showing !== null && messages.some((m) => m.conversationId === showing && m.direction === 'in')) this.markShowingRead();
  }
}
