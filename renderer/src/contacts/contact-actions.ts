import { PHONE_KINDS, type Contact } from '../../../shared/domain/contacts';
import { formatPhone } from '../../../shared/domain/phone';
import { t } from '../../../shared/i18n/format';

/** What one can do with a person wherever they appear: the list's menu, their card, a conversation. */
export type ContactActionId = 'message' | 'call' | 'video' | `call-${(typeof PHONE_KINDS)[number]}`;

export interface ContactAction {
  readonly id: ContactActionId;
  /** The visible words (and so the accessible name). */
  readonly label: string;
  readonly run: () => void;
}

/** How the actions are carried out (the page's chat and calls). */
export interface ContactActionTarget {
  openChat(uri: string): void;
  call(target: string, video: boolean): void;
}

/**
 * The actions for a person, in the order every place offers them: Send message, Call, Video call,
 * then a call to each of their numbers (a contact's; `except` leaves some out — the conversation
 * needs no Send message).
 */
export function contactActions(
  person: { readonly uri: string; readonly contact?: Contact | undefined },
  target: ContactActionTarget,
  options: { readonly country: string; readonly except?: readonly ContactActionId[] },
): ContactAction[] {
  const actions: ContactAction[] = [
    { id: 'message', label: t('contact.action.message'), run: () => target.openChat(person.uri) },
    { id: 'call', label: t('contact.action.call'), run: () => target.call(person.uri, false) },
    { id: 'video', label: t('contact.action.video'), run: () => target.call(person.uri, true) },
    ...PHONE_KINDS.flatMap((kind): ContactAction[] => {
      const number = person.contact?.phones[kind];
      if (!number) return [];
      const shown = formatPhone(number, options.country);
      return [
        { id: `call-${kind}`, label: t('contact.action.callNumber', { kind, number: shown }), run: () => target.call(number, false) },
      ];
    }),
  ];
  return actions.filter((action) => !options.except?.includes(action.id));
}
