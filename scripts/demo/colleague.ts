import { problemText } from '../../shared/domain/problem.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../../main/engine.js';
import { FileSecretStore } from '../../main/store/secret-store.js';
import type { MyStatus } from '../../shared/domain/presence.js';

/** Who a simulated colleague is and what they get up to. */
export interface ColleagueProfile {
  readonly user: string;
  readonly name: string;
  /** Status and note pairs they move between. */
  readonly moods: readonly (readonly [MyStatus, string])[];
}

/**
 * A simulated colleague for the demo: a Parley engine in Node (sip.js, a real SQLite file) signed in to
 * the demo server. They accept whoever asks to see them, add back whoever adds them, and change their
 * status and note now and then, and answer messages (reading them, typing, replying). Not part of the
 * product; calls can later register here (answer with an echo).
 */
export class SimulatedColleague {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly dir = mkdtempSync(join(tmpdir(), 'parley-demo-colleague-'));
  readonly engine: Engine;

  constructor(
    readonly profile: ColleagueProfile,
    private readonly server: { wsUrl: string; domain: string },
  ) {
    this.engine = new Engine({
      dataDir: this.dir,
      mode: 'web',
      version: 'demo',
      secrets: new FileSecretStore(join(this.dir, 'credentials.json')),
    });
  }

  get address(): string {
    return `${this.profile.user}@${this.server.domain}`;
  }

  async start(): Promise<void> {
    const signedIn = await this.engine.account.signIn({
      address: this.address,
      password: `${this.profile.user}-demo`,
      server: this.server.wsUrl,
      displayName: this.profile.name,
      rememberPassword: false,
    });
    if (!signedIn.ok) throw new Error(`${this.profile.name} could not sign in: ${problemText(signedIn.error)}`);
    // Whoever asks to see them is let in (and added back, as colleagues do).
    this.engine.approvals.onDidChange(() => void this.acceptEveryone());
    void this.acceptEveryone();
    // They answer a message after a moment, as a colleague at their desk would.
    this.engine.messaging.onDidChange((messages) => {
      for (const message of messages) {
        if (message.direction !== 'in' || message.state !== 'received') continue;
        this.engine.messaging.markRead(message.conversationId);
        setTimeout(() => this.stopped || this.engine.messaging.setTyping(message.conversationId, true), 400);
        setTimeout(() => this.stopped || this.engine.messaging.send(message.conversationId, this.replyTo(message.text)), 1600);
      }
    });
    this.moveOn(0);
  }

  private replyTo(text: string): string {
    const first = this.profile.name.split(' ')[0];
    return `${first} here — you said “${text.length > 80 ? `${text.slice(0, 80)}…` : text}”. (I'm a simulated colleague in the Parley demo.)`;
  }

  private stopped = false;

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.engine.close();
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async acceptEveryone(): Promise<void> {
    for (const request of this.engine.approvals.requests()) await this.engine.approvals.answer(request.uri, 'acceptAndAdd');
  }

  /** Takes on the next mood, then waits 20–60 s before the one after. */
  private moveOn(index: number): void {
    const [status, note] = this.profile.moods[index % this.profile.moods.length]!;
    this.engine.myPresence.set(status, note);
    this.timer = setTimeout(() => this.moveOn(index + 1), 20_000 + Math.random() * 40_000);
  }
}

/** The demo's colleagues. */
export const COLLEAGUES: readonly ColleagueProfile[] = [
  {
    user: 'ada',
    name: 'Ada Lovelace',
    moods: [
      ['available', 'Reviewing the analytical engine notes'],
      ['busy', 'In a design review until 3'],
      ['available', ''],
    ],
  },
  {
    user: 'grace',
    name: 'Grace Hopper',
    moods: [
      ['busy', 'Debugging — literally'],
      ['available', 'Back at my desk'],
      ['brb', 'Coffee'],
    ],
  },
  {
    user: 'alan',
    name: 'Alan Turing',
    moods: [
      ['away', 'Out for a run'],
      ['available', ''],
      ['dnd', 'Deep work, please message instead'],
    ],
  },
  {
    user: 'katherine',
    name: 'Katherine Johnson',
    moods: [
      ['available', 'Checking trajectories'],
      ['busy', 'On a call with Houston'],
    ],
  },
  {
    user: 'linus',
    name: 'Linus Pauling',
    moods: [
      ['appearOffline', ''],
      ['available', 'Working from home today'],
    ],
  },
];
