/**
 * The floor for the calls bench: a bare page with sip.js and its stock WebRTC session description
 * handler, talking to the server itself — no Electron/web-mode bridge, no store, no UI framework.
 * Parley's figures are read beside this page's, measured the same way in the same run.
 */
import { Inviter, Registerer, RegistererState, UserAgent, type Invitation, type Session } from 'sip.js';

const now = () => performance.timeOrigin + performance.now();

let ua: UserAgent | undefined;
let incoming: Invitation | undefined;
let current: Session | undefined;
let rangAt = 0;

const plain = {
  async start(uri: string, password: string, server: string): Promise<void> {
    const target = UserAgent.makeURI(uri);
    if (!target) throw new Error(`bad URI ${uri}`);
    ua = new UserAgent({
      uri: target,
      authorizationUsername: target.user ?? '',
      authorizationPassword: password,
      transportOptions: { server },
      logLevel: 'error',
      delegate: {
        onInvite: (invitation) => {
          rangAt = now();
          incoming = invitation;
          current = invitation;
        },
      },
    });
    await ua.start();
    const registerer = new Registerer(ua);
    await new Promise<void>((resolve, reject) => {
      registerer.stateChange.addListener((state) => {
        if (state === RegistererState.Registered) resolve();
      });
      registerer
        .register({ requestDelegate: { onReject: (response) => reject(new Error(String(response.message.statusCode))) } })
        .catch(reject);
    });
  },
  /** Calls `target` (video too when asked); resolves when the INVITE has left. */
  async call(target: string, video = false): Promise<void> {
    if (!ua) throw new Error('not started');
    const inviter = new Inviter(ua, UserAgent.makeURI(target)!, {
      sessionDescriptionHandlerOptions: { constraints: { audio: true, video } },
    });
    current = inviter;
    await inviter.invite();
  },
  /** When the last incoming call started ringing here (0 before one). */
  rangAt: () => rangAt,
  async answer(video = false): Promise<void> {
    const invitation = incoming;
    incoming = undefined;
    rangAt = 0;
    if (!invitation) throw new Error('nothing is ringing');
    await invitation.accept({ sessionDescriptionHandlerOptions: { constraints: { audio: true, video } } });
  },
  async hangUp(): Promise<void> {
    const session = current;
    current = undefined;
    if (session) await session.bye().catch(() => undefined);
  },
};

(window as unknown as { plain: typeof plain }).plain = plain;
