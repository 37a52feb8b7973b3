/** The buddy list as the renderer sees it. */

import type { Presence, SubscriptionStatus } from './presence.js';

/** A group of contacts. Exactly one group is the default. */
export interface ContactGroup {
  readonly id: number;
  readonly name: string;
  readonly isDefault: boolean;
}

/** What I decided about someone watching my presence. */
export type WatcherDecision = 'pending' | 'allowed' | 'declined' | 'blocked';

/** A contact with what I know of their presence. */
export interface Contact {
  readonly id: number;
  /** Normalised SIP URI. */
  readonly uri: string;
  /** `user@host`. */
  readonly address: string;
  /** The name I gave them (may be empty: show the address). */
  readonly displayName: string;
  readonly groupId: number;
  /** True when I blocked them from seeing my presence. */
  readonly blocked: boolean;
  /** What I decided about them watching me ('none': they never asked and I never decided). */
  readonly decision: WatcherDecision | 'none';
  /** My subscription to their presence. */
  readonly subscription: SubscriptionStatus;
  /** Their presence (Offline unless the subscription is active). */
  readonly presence: Presence;
}

/** The whole list. */
export interface ContactList {
  readonly groups: readonly ContactGroup[];
  readonly contacts: readonly Contact[];
}

/** Someone who asked to see my presence and is waiting for my answer. */
export interface ApprovalRequest {
  readonly uri: string;
  readonly address: string;
  readonly displayName: string;
  /** Epoch ms when Parley first saw the request. */
  readonly requestedAt: number;
  /** True when they are already in my contacts. */
  readonly isContact: boolean;
}

/** How I answer an approval request (or change my mind later from the contact's menu). */
export type ApprovalAnswer = 'accept' | 'acceptAndAdd' | 'decline' | 'block';

/** Longest group name. */
export const GROUP_NAME_MAX = 64;
/** Longest contact display name. */
export const CONTACT_NAME_MAX = 128;

/** Checks a contact's display name; returns a message or null. */
export function contactNameError(name: string): string | null {
  if (name.length > CONTACT_NAME_MAX) return `A name has at most ${CONTACT_NAME_MAX} characters (this one has ${name.length}).`;
  if (/\p{Cc}/u.test(name)) return 'A name cannot contain control characters.';
  return null;
}

/** Checks a group name; returns a message or null. */
export function groupNameError(name: string): string | null {
  const trimmed = name.trim();
  if (trimmed === '') return 'Enter a group name.';
  if (trimmed.length > GROUP_NAME_MAX) return `A group name has at most ${GROUP_NAME_MAX} characters.`;
  if (/\p{Cc}/u.test(trimmed)) return 'A group name cannot contain control characters.';
  return null;
}
