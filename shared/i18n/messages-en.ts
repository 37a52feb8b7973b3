import { ACCOUNT } from './en/account.js';
import { APPROVALS } from './en/approvals.js';
import { CALLS } from './en/calls.js';
import { CHAT } from './en/chat.js';
import { CONTACTS } from './en/contacts.js';
import { PRESENCE } from './en/presence.js';
import { PROBLEMS } from './en/problems.js';
import { SETTINGS } from './en/settings.js';
import { SHELL } from './en/shell.js';

/**
 * The English message catalogue: every word Parley shows, keyed, in ICU MessageFormat (plurals and
 * choices inside the message, never glued together in code). One file per domain under `en/`, so a
 * new domain adds its own file here rather than editing another's. Other catalogues have the same
 * keys; a key missing there falls back to this one.
 */
export const MESSAGES_EN = {
  ...SHELL,
  ...ACCOUNT,
  ...SETTINGS,
  ...APPROVALS,
  ...PRESENCE,
  ...CONTACTS,
  ...CHAT,
  ...CALLS,
  ...PROBLEMS,
} as const satisfies Record<string, string>;

export type MessageKey = keyof typeof MESSAGES_EN;
