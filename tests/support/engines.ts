import { problemText } from '../../shared/domain/problem.js';
import type { ConversationId } from '../../shared/domain/chat.js';
import type { SignInParams } from '../../shared/domain/account.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine, type EngineOptions } from '../../main/engine.js';
import { FileSecretStore } from '../../main/store/secret-store.js';

/** A SIP server the engines sign in to: the test Kamailio, or the in-process hub. */
export interface FleetServer {
  readonly domain: string;
  readonly wsUrl: string;
}

/** Engines (real SQLite, real sip.js) for several users against one server; closes them all. */
export class EngineFleet {
  private readonly engines: { engine: Engine; dir: string }[] = [];

  constructor(private readonly kamailio: FleetServer) {}

  /** A new engine in a fresh (or given) data folder. */
  create(options: Partial<EngineOptions> & { dataDir?: string } = {}): Engine {
    const dir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'parley-fleet-'));
    const engine = new Engine({
      dataDir: dir,
      mode: 'web',
      version: 'test',
      secrets: new FileSecretStore(join(dir, 'credentials.json')),
      ...options,
    });
    this.engines.push({ engine, dir });
    return engine;
  }

  /** A new engine signed in as `user` (password `<user>-pw`). */
  async signedIn(
    user: string,
    options: Partial<EngineOptions> & { dataDir?: string; account?: Partial<SignInParams> } = {},
  ): Promise<Engine> {
    const engine = this.create(options);
    const result = await engine.account.signIn({
      address: `${user}@${this.kamailio.domain}`,
      password: `${user}-pw`,
      server: this.kamailio.wsUrl,
      rememberPassword: true,
      ...options.account,
    });
    if (!result.ok) throw new Error(`${user} could not sign in: ${problemText(result.error)}`);
    return engine;
  }

  async dispose(): Promise<void> {
    for (const { engine, dir } of this.engines.splice(0)) {
      await engine.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

/**
 * The id of `engine`'s direct conversation with `peer` (made the first time), for tests that speak
 * of people: the messaging service speaks of conversations.
 */
export function withPeer(engine: Pick<Engine, 'messaging'>, peer: string): ConversationId {
  const conversation = engine.messaging.conversationWith(peer);
  if (!conversation.ok) throw new Error(`no conversation with ${peer}: ${problemText(conversation.error)}`);
  return conversation.value.id;
}
