import { problemText } from '../../../shared/domain/problem.js';
import { expect, test } from 'vitest';
import { explainFailure } from '../../../main/sip/sip-connection.js';
import { SignInProblem, signInFailureText } from '../../../shared/domain/connection.js';

const SERVER = 'wss://sip.example.com:8443/ws';

test('why a connection could not be made is a value; the words come from the catalogue', async () => {
  const cases: [string, string, SignInProblem, string][] = [
    ['ECONNREFUSED', 'unreachable', SignInProblem.ConnectionRefused, `Nothing answers at ${SERVER}. Check the server address and port.`],
    ['ENOTFOUND', 'unreachable', SignInProblem.HostNotFound, "Can't find the server sip.example.com. Check its name."],
    [
      'HTTP_404',
      'unreachable',
      SignInProblem.NotSipWebSocket,
      `${SERVER} answered, but it is not a SIP WebSocket (HTTP 404). Check the server address and path.`,
    ],
    [
      'DEPTH_ZERO_SELF_SIGNED_CERT',
      'untrusted',
      SignInProblem.SelfSigned,
      "The server's certificate is self-signed, so this computer can't tell it is really sip.example.com.",
    ],
    [
      'ERR_TLS_CERT_ALTNAME_INVALID',
      'untrusted',
      SignInProblem.OtherName,
      "The server's certificate was issued for another name, not sip.example.com.",
    ],
    ['CERT_HAS_EXPIRED', 'untrusted', SignInProblem.CertificateExpired, "The server's certificate is not valid now."],
    ['ETIMEDOUT', 'unreachable', SignInProblem.Unreachable, `Can't reach the server at ${SERVER}.`],
  ];
  for (const [code, kind, problem, words] of cases) {
    const error = await explainFailure(SERVER, { code, message: code }, { withCertificate: false });
    expect(error, code).toMatchObject({ kind, problem: 'signIn', signIn: { problem } });
    expect(signInFailureText(error.signIn!)).toBe(words);
    expect(problemText(error)).toBe(words);
  }
});

test("a REGISTER's refusal names its status and the server's phrase; an empty status reads as no answer", () => {
  expect(signInFailureText({ problem: SignInProblem.Refused, status: 420, phrase: 'Bad Extension' })).toBe(
    'The server refused the sign-in (420 Bad Extension).',
  );
  expect(signInFailureText({ problem: SignInProblem.NotAnswering, server: SERVER })).toBe(`The server at ${SERVER} did not answer.`);
  expect(signInFailureText({ problem: SignInProblem.NotAnswering, server: SERVER, status: 503, phrase: 'Busy' })).toBe(
    `The server at ${SERVER} is not answering (503 Busy).`,
  );
});
