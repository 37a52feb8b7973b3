/** The buddy list as the renderer sees it. */

import type { Presence, SubscriptionStatus } from './presence.js';
import { t } from '../i18n/format.js';
import { Problem, type ProblemOf } from './problem.js';

/** A group of contacts. Exactly one group is the default. */
export interface ContactGroup {
  readonly id: number;
  readonly name: string;
  readonly isDefault: boolean;
  /** Folded away in the list (remembered per account). */
  readonly collapsed: boolean;
}

/** What I decided about someone watching my presence. */
export type WatcherDecision = 'pending' | 'allowed' | 'declined' | 'blocked';

/** The kinds of phone number a contact carries. */
export const PHONE_KINDS = ['work', 'mobile'] as const;
export type PhoneKind = (typeof PHONE_KINDS)[number];

/** A contact's phone numbers, each in E.164 (`+442079460000`); a kind without a number is absent. */
export type ContactPhones = { readonly [K in PhoneKind]?: string };

/** The words for a kind of number. */
export function phoneKindText(kind: PhoneKind): string {
  return t('contact.phoneKind', { kind });
}

/** A contact with what I know of their presence. */
export interface Contact {
  readonly id: number;
  /** Normalised SIP URI. */
  readonly uri: string;
  /** `user@host`. */
  readonly address: string;
  /** The name I gave them (may be empty: show the network's name, or the address). */
  readonly displayName: string;
  /**
   * The name the network gives them (the display-name of their watcher-info entry, RFC 3858 §4.3;
   * later the From of their messages and calls), or empty. Shown when I gave them no name.
   */
  readonly networkName: string;
  readonly groupId: number;
  /** Their phone numbers, offered beside their SIP address when I call them. */
  readonly phones: ContactPhones;
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

/** One page of the approval inbox, oldest first. */
export interface ApprovalPage {
  readonly requests: readonly ApprovalRequest[];
  /** Requests waiting in all. */
  readonly total: number;
  readonly offset: number;
}

/** How many requests a page of the inbox holds (and the most one `approvals:list` returns). */
export const APPROVAL_PAGE_SIZE = 50;

/**
 * New requests arrived (coalesced: a burst of hundreds is one event): how many, and the first of
 * them for a notification. The inbox itself is refreshed by `onDidChangeApprovals`.
 */
export interface NewApprovalRequests {
  readonly count: number;
  readonly first: ApprovalRequest;
}

/** The words of a notification for new requests: one person, or one person and the others of a burst. */
export function approvalNotice(count: number, firstName: string, wrap: (name: string) => string = (name) => name): string {
  return t('approvals.notice', { name: wrap(firstName), others: Math.max(0, count - 1) });
}

/** How I answer an approval request (or change my mind later from the contact's menu). */
export type ApprovalAnswer = 'accept' | 'acceptAndAdd' | 'decline' | 'block';

/** Longest group name. */
export const GROUP_NAME_MAX = 64;
/** Longest contact display name. */
export const CONTACT_NAME_MAX = 128;

/** Checks a contact's display name: what is wrong with it, or null. */
export function contactNameError(name: string): ProblemOf | null {
  if (name.length > CONTACT_NAME_MAX) return { problem: Problem.NameTooLong, values: { max: CONTACT_NAME_MAX, length: name.length } };
  if (/\p{Cc}/u.test(name)) return { problem: Problem.NameControl };
  return null;
}

/** Checks a group name: what is wrong with it, or null. */
export function groupNameError(name: string): ProblemOf | null {
  const trimmed = name.trim();
  if (trimmed === '') return { problem: Problem.GroupNameEmpty };
  if (trimmed.length > GROUP_NAME_MAX) return { problem: Problem.GroupNameTooLong, values: { max: GROUP_NAME_MAX } };
  if (/\p{Cc}/u.test(trimmed)) return { problem: Problem.GroupNameControl };
  return null;
}
