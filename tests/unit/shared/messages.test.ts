import { readdirSync } from 'node:fs';
import { IntlMessageFormat } from 'intl-messageformat';
import { expect, test } from 'vitest';
import { CALL_END_REASONS, callEndText, CallEndReason, rejectionEnd, transferProblemText } from '../../../shared/domain/calls.js';
import { messageFailureText } from '../../../shared/domain/chat.js';
import { SignInProblem } from '../../../shared/domain/connection.js';
import { Problem, problemText } from '../../../shared/domain/problem.js';
import { t } from '../../../shared/i18n/format.js';
import { MESSAGES_EN } from '../../../shared/i18n/messages-en.js';

test('every message in the catalogue is valid ICU MessageFormat', () => {
  for (const [key, message] of Object.entries(MESSAGES_EN)) {
    expect(() => new IntlMessageFormat(message, 'en'), key).not.toThrow();
  }
});

test('every way a call can end has its words, with nothing left unfilled', () => {
  for (const reason of CALL_END_REASONS) {
    const text = callEndText({ reason, status: 503, target: 'bob@example.com' });
    expect(text, reason).not.toBe('');
    expect(text, reason).not.toMatch(/[{}]/);
  }
  expect(callEndText({ reason: CallEndReason.ServerFailure, status: 503 })).toBe('The server could not connect the call (503)');
  expect(callEndText({ reason: CallEndReason.Failed })).toBe('The call failed');
  expect(callEndText({ reason: CallEndReason.Failed, status: 499 })).toBe('The call failed (499)');
  expect(callEndText({ reason: CallEndReason.Forwarded, target: '+4930123456' })).toBe('Forwarded to +4930123456');
});

test("a far end's final answer is the reason it stands for (RFC 3261 §21), with its status", () => {
  expect([486, 600, 603, 404, 604, 480, 408, 487, 488, 606, 415, 403, 500, 503, 499].map((status) => rejectionEnd(status).reason)).toEqual([
    'busy',
    'busy',
    'declined',
    'notFound',
    'notFound',
    'unavailable',
    'noAnswer',
    'cancelled',
    'incompatible',
    'incompatible',
    'incompatible',
    'forbidden',
    'serverFailure',
    'serverFailure',
    'failed',
  ]);
  expect(rejectionEnd(503).status).toBe(503);
});

test('plurals come from the catalogue, and a failed transfer says why', () => {
  expect(t('calls.missed.count', { count: 1 })).toBe('1 missed call');
  expect(t('calls.missed.count', { count: 3 })).toBe('3 missed calls');
  expect(t('calls.missed.strangers', { count: 1 })).toBe('1 missed call from someone not in your contacts');
  expect(transferProblemText({ kind: 'failed', end: rejectionEnd(603) })).toBe('The transfer did not go through: Declined.');
  expect(transferProblemText({ kind: 'failed' })).toBe('The transfer did not go through: they gave no reason.');
  expect(transferProblemText({ kind: 'noWord' })).toBe('They did not say whether the transfer went through.');
});

test('why a message failed: the known statuses in words, any other with its number and the far end’s phrase', () => {
  expect(messageFailureText({ status: 404 })).toBe('There is no such user.');
  expect(messageFailureText({ status: 480, phrase: 'Temporarily Unavailable' })).toBe('They are not signed in.');
  expect(messageFailureText({ status: 499, phrase: 'Nope' })).toBe('It was refused (499 Nope).');
  expect(messageFailureText({ status: 420 })).toBe('It was refused (420).');
});

test('each domain’s words have keys of their own: none silently replaces another’s', async () => {
  const dir = new URL('../../../shared/i18n/en/', import.meta.url);
  const modules = await Promise.all(
    readdirSync(dir)
      .filter((file) => file.endsWith('.ts'))
      .map((file) => import(new URL(file, dir).href) as Promise<Record<string, Record<string, string>>>),
  );
  expect(modules.length).toBeGreaterThanOrEqual(8);
  const keys = modules.flatMap((module) => Object.values(module).flatMap((words) => Object.keys(words)));
  expect(keys.length).toBeGreaterThan(100);
  expect(new Set(keys).size).toBe(keys.length);
  expect(Object.keys(MESSAGES_EN).length).toBe(keys.length);
});

test('a refusal from main is a value; the page says it, with its values, the far end’s reason or the failure under it', () => {
  for (const problem of Object.values(Problem)) {
    const values = {
      max: 4,
      count: 2,
      length: 5,
      bytes: 5,
      detail: 'x',
      url: 'x',
      address: 'x',
      name: 'x',
      kind: 'work',
      country: 'given',
      change: 'hold',
    };
    const text = problemText({ problem, values });
    expect(text, problem).not.toBe('');
    expect(text, problem).not.toMatch(/[{}]/);
  }
  expect(problemText({ problem: Problem.AlreadyContact, values: { address: 'bob@example.com' } })).toBe(
    'bob@example.com is already in your contacts.',
  );
  expect(problemText({ problem: Problem.MessageTooLong, values: { max: 4096, bytes: 4200 } })).toMatch(
    /at most 4,096 bytes .* this one has 4,200\.$/,
  );
  expect(problemText({ problem: Problem.AnswersNotStored, values: { count: 1 } })).toMatch(/^Your answer is saved/);
  expect(problemText({ problem: Problem.AnswersNotStored, values: { count: 3 } })).toMatch(/^Your answers are saved/);
  const refused = { problem: Problem.ChangeRefused, values: { change: 'hold' }, end: { reason: CallEndReason.Busy } } as const;
  expect(problemText(refused)).toBe('Hold was refused: Busy.');
  expect(problemText({ problem: Problem.HoldCurrentFailed, cause: { kind: 'state', ...refused } })).toBe(
    'The current call could not be put on hold: Hold was refused: Busy.',
  );
  expect(problemText({ problem: Problem.NotSipAddressOrNumber, values: { country: 'missing' } })).toMatch(/choose your country/);
  expect(problemText({ problem: Problem.NotSipAddressOrNumber, values: { country: 'given' } })).toBe(
    'That is not a SIP address or phone number.',
  );
  expect(problemText({ problem: Problem.SignIn, signIn: { problem: SignInProblem.AuthFailed } })).toBe(
    'The server rejected the user name or password.',
  );
});
