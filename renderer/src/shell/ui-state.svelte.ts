import { tick } from 'svelte';
import { DEFAULT_UI_SETTINGS, type Density, type DeviceKind, type UiSettings } from '../../../shared/domain/settings';
import type { ConversationId } from '../../../shared/domain/chat';
import { currentLocale } from '../../../shared/i18n/format';
import type { Locale } from '../../../shared/i18n/locales';
import type { ParleyApi } from '../../../shared/ipc/contract';
import { Subscriptions } from './subscriptions';

/**
 * What the right-hand pane shows (wide window) or what replaces the list (narrow window):
 *
 * ```
 * list ──click/Enter on a contact──► card(id) ──Escape / Back──► list (focus back on the contact)
 *   │ ──Review──► approvals ──Back──► list
 *   └ ──me menu ▸ Settings──► settings ──Back──► list
 * ```
 */
export type View =
  | { readonly kind: 'list' }
  | { readonly kind: 'card'; readonly id: number; readonly focus?: 'rename' | 'group' | 'remove' }
  | { readonly kind: 'chat'; readonly conversation: ConversationId }
  | { readonly kind: 'requests' }
  | { readonly kind: 'search' }
  | { readonly kind: 'approvals' }
  | { readonly kind: 'settings' }
  | { readonly kind: 'keypad'; readonly number?: string }
  | { readonly kind: 'history' };

/** Width from which the list and a pane sit side by side. */
export const WIDE_MEDIA = '(min-width: 760px)';

/** Layout and preferences of the window: which view is open, whether it is wide, the list density. */
export class UiState {
  /** What this state subscribed to (released by dispose()). */
  private readonly subscriptions = new Subscriptions();
  view = $state<View>({ kind: 'list' });
  wide = $state(false);
  settings = $state<UiSettings>(DEFAULT_UI_SETTINGS);
  /** Where the keyboard focus goes once a pane closes (the contact row it was opened from). */
  returnFocus: (() => void) | null = null;

  constructor(
    private readonly api: ParleyApi,
    /** Finds (or makes) the direct conversation with a person — the chat state's, which remembers it. */
    private readonly conversationWith?: (peer: string) => Promise<{ readonly id: ConversationId } | undefined>,
  ) {
    this.subscriptions.add(
      api.on('onDidChangeSettings', (settings) => {
        this.settings = settings;
        // Another language (chosen here or in another window): every word is drawn again in it.
        if (settings.language !== currentLocale()) location.reload();
      }),
    );
  }

  /** Stops listening to main (the window is going away). */
  dispose(): void {
    this.subscriptions.dispose();
  }

  /** Follows the window's width; returns the function that stops following. */
  watchWidth(): () => void {
    const media = window.matchMedia(WIDE_MEDIA);
    const update = () => (this.wide = media.matches);
    update();
    media.addEventListener('change', update);
    return () => media.removeEventListener('change', update);
  }

  async load(): Promise<void> {
    const settings = await this.api.settings.get();
    if (settings.ok) this.settings = settings.value;
  }

  async setDensity(density: Density) {
    const result = await this.api.settings.set({ density });
    if (result.ok) this.settings = result.value;
    return result;
  }

  async setDefaultCountry(defaultCountry: string) {
    const result = await this.api.settings.set({ defaultCountry });
    if (result.ok) this.settings = result.value;
    return result;
  }

  /** Chooses the microphone, speaker or camera calls use ('' id: the system's default). */
  async setDevice(kind: DeviceKind, id: string, label: string) {
    const result = await this.api.settings.set({ device: { kind, id, label } });
    if (result.ok) this.settings = result.value;
    return result;
  }

  /** Changes Parley's language; the window then reloads to speak it (as every other window does). */
  async setLanguage(language: Locale) {
    const result = await this.api.settings.set({ language });
    if (result.ok) this.settings = result.value;
    return result;
  }

  async setReadReceipts(readReceipts: boolean) {
    const result = await this.api.settings.set({ readReceipts });
    if (result.ok) this.settings = result.value;
    return result;
  }

  open(view: View, returnFocus: (() => void) | null = null): void {
    this.view = view;
    this.returnFocus = returnFocus;
  }

  /**
   * Opens a conversation: in its own window in the desktop app (one per conversation), beside or
   * instead of the list in web mode.
   */
  async openChat(conversation: ConversationId, returnFocus: (() => void) | null = null): Promise<void> {
    const own = await this.api.app.openConversation({ conversationId: conversation });
    if (own.ok && own.value.opened) return;
    this.open({ kind: 'chat', conversation }, returnFocus);
  }

  /** Opens the conversation with one person (made the first time). */
  async openChatWith(peer: string, returnFocus: (() => void) | null = null): Promise<void> {
    const conversation = await this.conversationWith?.(peer);
    if (conversation) await this.openChat(conversation.id, returnFocus);
  }

  /** Back to the list; the focus returns to where the pane was opened from. */
  close(): void {
    this.view = { kind: 'list' };
    const back = this.returnFocus;
    this.returnFocus = null;
    // After the list is back in the page (a narrow window hid it behind the pane).
    if (back) void tick().then(back);
  }
}
