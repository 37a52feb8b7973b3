import { t } from '../i18n/format.js';
import type { IpcError } from '../ipc/result.js';
import { callEndText } from './calls.js';
import { signInFailureText } from './connection.js';

/**
 * Why a request was refused, as a value: what main answers and the page says in its own words (the
 * catalogue's `problem.<value>`). Main never sends a sentence: the words are chosen where they are shown.
 */
export const Problem = {
  // Not now: something has to happen first.
  SignInFirst: 'signInFirst',
  SignInForCalls: 'signInForCalls',
  SignInToAddContacts: 'signInToAddContacts',
  AlreadySignedIn: 'alreadySignedIn',
  SignedOut: 'signedOut',
  Busy: 'busy',
  // The page and the engine (web mode).
  EngineStopped: 'engineStopped',
  EngineRefused: 'engineRefused',
  NoAccessKey: 'noAccessKey',
  // The request itself.
  UnknownRequest: 'unknownRequest',
  InvalidRequest: 'invalidRequest',
  NotAllowed: 'notAllowed',
  Internal: 'internal',
  TooLong: 'tooLong',
  // Signing in (the failure itself travels as `signIn`).
  SignIn: 'signIn',
  AddressEmpty: 'addressEmpty',
  NotSipAddress: 'notSipAddress',
  NotMySipAddress: 'notMySipAddress',
  PasswordEmpty: 'passwordEmpty',
  PasswordTooLong: 'passwordTooLong',
  ServerEmpty: 'serverEmpty',
  ServerNotWebSocket: 'serverNotWebSocket',
  AuthUserBad: 'authUserBad',
  DisplayNameBad: 'displayNameBad',
  IceServersTooMany: 'iceServersTooMany',
  IceServerBad: 'iceServerBad',
  TurnUserEmpty: 'turnUserEmpty',
  TurnPasswordEmpty: 'turnPasswordEmpty',
  GatewayBad: 'gatewayBad',
  XcapRootBad: 'xcapRootBad',
  NotFingerprint: 'notFingerprint',
  // Contacts and groups.
  OwnAddress: 'ownAddress',
  AlreadyContact: 'alreadyContact',
  ContactMissing: 'contactMissing',
  GroupMissing: 'groupMissing',
  GroupExists: 'groupExists',
  DefaultGroupStays: 'defaultGroupStays',
  NameTooLong: 'nameTooLong',
  NameControl: 'nameControl',
  GroupNameEmpty: 'groupNameEmpty',
  GroupNameTooLong: 'groupNameTooLong',
  GroupNameControl: 'groupNameControl',
  NotPhoneNumber: 'notPhoneNumber',
  UnknownCountry: 'unknownCountry',
  // Approvals.
  AnswersNotStored: 'answersNotStored',
  // Chat.
  ConversationMissing: 'conversationMissing',
  MessageMissing: 'messageMissing',
  MessageEmpty: 'messageEmpty',
  MessageTooLong: 'messageTooLong',
  // Calls.
  NotSipAddressOrNumber: 'notSipAddressOrNumber',
  ThatIsYou: 'thatIsYou',
  EndACallFirst: 'endACallFirst',
  HoldFirst: 'holdFirst',
  CallNotConnected: 'callNotConnected',
  CallNotRinging: 'callNotRinging',
  CallReconnecting: 'callReconnecting',
  ResumeFirst: 'resumeFirst',
  AlreadyTransferring: 'alreadyTransferring',
  TransferRequestGone: 'transferRequestGone',
  TransferredCallEnded: 'transferredCallEnded',
  TransferRefused: 'transferRefused',
  TransferFailed: 'transferFailed',
  HoldCurrentFailed: 'holdCurrentFailed',
  ChangeRefused: 'changeRefused',
  ChangeCallEnded: 'changeCallEnded',
  ChangeFailed: 'changeFailed',
  TonesFailed: 'tonesFailed',
  MediaRequestGone: 'mediaRequestGone',
  NotYourCall: 'notYourCall',
} as const;
export type Problem = (typeof Problem)[keyof typeof Problem];

/** Names and numbers a problem's words take (`{ max: 64 }`, `{ address }`), never words themselves. */
export type ProblemValues = Readonly<Record<string, string | number>>;

/** A change to a call that the other side may refuse (a re-INVITE), for `ChangeRefused` and the like. */
export type CallChange = 'hold' | 'resume' | 'videoOn' | 'videoOff';

/** A field's problem in a form: checked in the page before sending, and again in main. */
export interface FieldError {
  readonly field: string;
  readonly problem: Problem;
  readonly values?: ProblemValues;
}

/** A problem with its values, before it knows its field: what a validating function answers. */
export interface ProblemOf {
  readonly problem: Problem;
  readonly values?: ProblemValues;
}

/** The words for a failure main (or the page) reported, in the page's language. */
export function problemText(error: Omit<IpcError, 'kind'>): string {
  if (error.signIn) return signInFailureText(error.signIn);
  const why = error.end ? callEndText(error.end) : error.cause ? problemText(error.cause).replace(/\.$/, '') : '';
  return t(`problem.${error.problem}`, { ...error.values, why });
}
