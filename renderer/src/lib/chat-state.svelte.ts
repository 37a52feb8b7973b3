import { HISTORY_PAGE, inArrivalOrder, type ChatMessage, type ConversationSummary } from '../../../shared/domain/chat';
import type { ParleyApi } from '../../../shared/ipc/contract';
import type { Result } from '../../../shared/ipc/result';
import { parseSipAddress } from '../../../shared/domain/sip-address';
import { Subscriptions } from './subscriptions';

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
  views = $state<Record<string, ConversationView>>({});
  /** The conversation on screen now (its new messages are read as they arrive). */
  showing = $state<string | null>(null);
  /** The message a search result opened the conversation at (shown highlighted). */
  highlight = $state<number | null>(null);
  /** Who is typing to me now. */
  typing = $state<Record<string, boolean>>({});
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
        this.summaries = list;
        // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a lookup, not state
        const live = new Set(list.map((s) => s.peer));
        this.views = Object.fromEntries(Object.entries(this.views).filter(([peer]) => live.has(peer)));
      }),
    );
    this.subscriptions.add(api.on('onDidChangeTyping', ({ peer, typing }) => (this.typing = { ...this.typing, [peer]: typing })));
  }

  /** Stops listening to main (the window is going away). */
  dispose(): void {
    this.subscriptions.dispose();
  }

  async load(): Promise<void> {
    const list = await this.api.chat.conversations();
    if (list.ok) this.summaries = list.value;
  }

  /** Unread counts by peer (each contact row reads one). */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- rebuilt whole when the summaries change
  private readonly unread = $derived(new Map(this.summaries.map((s) => [s.peer, s.unread] as const)));

  unreadFor(peer: string): number {
    return this.unread.get(peer) ?? 0;
  }

  /** Opens a conversation: its latest page, and everything in it read. */
  async open(peer: string): Promise<void> {
    this.showing = peer;
    if (!this.views[peer]) {
      const page = await this.api.chat.history({ peer });
      if (page.ok) {
        this.views = {
          ...this.views,
          [peer]: { messages: inArrivalOrder(page.value), more: page.value.length === HISTORY_PAGE, newer: false },
        };
      }
    }
    await this.markRead(peer);
  }

  close(): void {
    this.showing = null;
    this.highlight = null;
  }

  /** Opens a conversation at a message (a search result): the messages around it, it highlighted. */
  async openAt(peer: string, id: number): Promise<void> {
    const page = await this.api.chat.history({ peer, around: id });
    if (!page.ok) return;
    // Half a page before it, then up to a page from it on: a full one means more follow.
    const fromIt = page.value.filter((m) => m.id >= id).length;
    this.views = { ...this.views, [peer]: { messages: inArrivalOrder(page.value), more: true, newer: fromIt === HISTORY_PAGE } };
    this.highlight = id;
  }

  search(query: string) {
    return this.api.chat.search({ query });
  }

  /** Loads the page before the oldest one shown (one load at a time per conversation). */
  loadEarlier(peer: string): Promise<void> {
    return this.loadPage(peer, 'earlier');
  }

  /** Loads the page after the newest one shown (reading forward from a search result). */
  loadLater(peer: string): Promise<void> {
    return this.loadPage(peer, 'later');
  }

  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a guard, not state
  private readonly loading = new Set<string>();

  private async loadPage(peer: string, which: 'earlier' | 'later'): Promise<void> {
    const view = this.views[peer];
    if (!view || this.loading.has(peer) || !(which === 'earlier' ? view.more : view.newer)) return;
    // Pages follow ids (the order messages were stored in), whatever order they are shown in.
    const ids = view.messages.map((m) => m.id);
    if (ids.length === 0) return;
    this.loading.add(peer);
    try {
      const page = await this.api.chat.history(
        which === 'earlier' ? { peer, before: Math.min(...ids) } : { peer, after: Math.max(...ids) },
      );
      if (!page.ok) return;
      const current = this.views[peer] ?? view;
      // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a lookup, not state
      const known = new Set(current.messages.map((m) => m.id));
      const full = page.value.length === HISTORY_PAGE;
      this.views = {
        ...this.views,
        [peer]: {
          messages: inArrivalOrder([...current.messages, ...page.value.filter((m) => !known.has(m.id))]),
          more: which === 'earlier' ? full : current.more,
          newer: which === 'later' ? full : current.newer,
        },
      };
    } finally {
      this.loading.delete(peer);
    }
  }

  send(peer: string, text: string): Promise<Result<ChatMessage>> {
    return this.api.chat.send({ peer, text });
  }

  /** The draft changed: tell main I am typing (at most every few seconds) or that I stopped. */
  draftChanged(peer: string, draft: string): void {
    const now = Date.now();
    if (draft === '') {
      this.typingToldAt = 0;
      void this.api.chat.typing({ peer, active: false });
    } else if (now - this.typingToldAt > 5_000) {
      this.typingToldAt = now;
      void this.api.chat.typing({ peer, active: true });
    }
  }

  /** A message went: the next keystroke starts a new typing spell. */
  sent(): void {
    this.typingToldAt = 0;
  }

  /** Message requests: take them as a contact. */
  accept(peer: string) {
    return this.api.chat.accept({ peer });
  }

  /** Message requests: refuse their messages from now on (what they sent goes). */
  block(peer: string) {
    return this.api.chat.block({ peer });
  }

  /** Deletes a conversation. */
  remove(peer: string) {
    return this.api.chat.delete({ peer });
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
    const peer = this.showing;
    if (peer) void this.api.chat.markRead({ peer });
    this.markReadTimer = setTimeout(() => {
      this.markReadTimer = undefined;
      if (!this.markReadAgain) return;
      this.markReadAgain = false;
      this.markShowingRead();
    }, MARK_READ_MS);
  }

  private async markRead(peer: string): Promise<void> {
    if (this.unreadFor(peer) === 0) return;
    this.summaries = this.summaries.map((s) => (s.peer === peer ? { ...s, unread: 0 } : s));
    await this.api.chat.markRead({ peer });
  }

  private apply(messages: readonly ChatMessage[]): void {
    // One pass per batch, whatever its size: each changed view is copied once, with an index of its
    // messages by id; new ones are appended (they come in arrival order) and sorted only if one
    // arrived out of order; the oldest go past VIEW_MAX.
    const views = { ...this.views };
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- scratch work for this batch, not state
    const working = new Map<string, { list: ChatMessage[]; index: Map<number, number>; sorted: boolean }>();
    const loaded = (peer: string) => {
      const view = views[peer];
      if (!view) return undefined;
      let work = working.get(peer);
      if (!work) {
        const list = [...view.messages];
        // eslint-disable-next-line svelte/prefer-svelte-reactivity -- scratch work for this batch, not state
        work = { list, index: new Map(list.map((m, i) => [m.id, i])), sorted: true };
        working.set(peer, work);
      }
      return { view, work };
    };
    const summaries = [...this.summaries];
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- scratch work for this batch, not state
    const summaryAt = new Map(summaries.map((s, i) => [s.peer, i]));
    for (const message of messages) {
      const found = loaded(message.peer);
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
      const index = summaryAt.get(message.peer);
      const isNew = message.direction === 'in' && message.state === 'received' && !known;
      const unreadBump = isNew && this.showing !== message.peer ? 1 : 0;
      if (isNew) this.onIncoming?.(message);
      if (index !== undefined) {
        const summary = summaries[index]!;
        const last = message.id >= summary.last.id ? message : summary.last;
        summaries[index] = { ...summary, last, unread: summary.unread + unreadBump };
      } else {
        summaryAt.set(message.peer, summaries.length);
        summaries.push({
          peer: message.peer,
          address: parseSipAddress(message.peer)?.address ?? message.peer,
          last: message,
          unread: unreadBump,
          stranger: !this.isContact(message.peer),
        });
      }
    }
    for (const [peer, work] of working) {
      const view = views[peer]!;
      const ordered = work.sorted ? work.list : inArrivalOrder(work.list);
      // Past the bound the oldest go; they load again when the person scrolls up.
      const trimmed = ordered.length > VIEW_MAX && !view.newer;
      views[peer] = { ...view, messages: trimmed ? ordered.slice(-VIEW_MAX) : ordered, more: view.more || trimmed };
    }
    this.views = views;
    this.summaries = summaries.sort((a, b) => b.last.id - a.last.id);
    // Messages that arrive in the conversation on screen are read at once — told to main at most
    // once a second while they pour in (each mark-read sends every window the conversation list).
    const showing = this.showing;
    if (showing && messages.some((m) => m.peer === showing && m.direction === 'in')) this.markShowingRead();
  }
}
