import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freeUdpPort } from './ports.js';

export interface LinphoneOptions {
  readonly user: string;
  readonly password: string;
  readonly domain: string;
  /** Kamailio's UDP SIP port (linphonec registers over UDP through it). */
  readonly proxyPort: number;
}

/**
 * Linphone 5.1's command-line client (linphonec), a third-party SIP client registered over UDP
 * through the test Kamailio and driven through its standard input. What it prints is kept.
 */
export class Linphone {
  private output = '';
  private readonly waiters: (() => void)[] = [];

  private constructor(
    private readonly child: ChildProcess,
    private readonly dir: string,
  ) {}

  static async start(options: LinphoneOptions): Promise<Linphone> {
    const dir = mkdtempSync(join(tmpdir(), 'parley-linphone-'));
    // Its chat database lives under $HOME.
    mkdirSync(join(dir, 'home', '.local', 'share', 'linphone'), { recursive: true });
    const port = await freeUdpPort();
    writeFileSync(
      join(dir, 'linphonerc'),
      [
        '[sip]',
        `sip_port=${port}`,
        'sip_tcp_port=0',
        'sip_tls_port=0',
        'default_proxy=0',
        'guess_hostname=0',
        `contact=sip:${options.user}@127.0.0.1`,
        'register_only_when_network_is_up=0',
        '[proxy_0]',
        `reg_proxy=<sip:127.0.0.1:${options.proxyPort};transport=udp>`,
        `reg_route=<sip:127.0.0.1:${options.proxyPort};transport=udp;lr>`,
        `reg_identity=sip:${options.user}@${options.domain}`,
        'reg_expires=300',
        'reg_sendregister=1',
        'publish=0',
        'cpim_in_basic_chat_rooms_enabled=0',
        '[auth_info_0]',
        `username=${options.user}`,
        `passwd=${options.password}`,
        `realm=${options.domain}`,
        `domain=${options.domain}`,
        '[misc]',
        'prefer_basic_chat_room=1',
        'enable_basic_to_client_group_chat_room_migration=0',
        '[rtp]',
        `audio_rtp_port=${port + 1}`,
        '[sound]',
        'capture_dev_id=',
        'playback_dev_id=',
        '',
      ].join('\n'),
    );
    const child = spawn('/usr/bin/linphonec', ['-c', join(dir, 'linphonerc')], {
      env: { ...process.env, HOME: join(dir, 'home') },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const linphone = new Linphone(child, dir);
    child.stdout!.on('data', (chunk: Buffer) => linphone.append(chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => linphone.append(chunk.toString()));
    child.stdin!.on('error', () => undefined);
    // Its prompt: ready for commands (registration is seen on the server: Kamailio.contacts()).
    await linphone.waitFor(/linphonec> /, 15_000).catch((error: unknown) => {
      child.kill('SIGKILL');
      throw error;
    });
    return linphone;
  }

  /** Everything linphonec printed so far. */
  get log(): string {
    return this.output;
  }

  /** Sends a chat message (linphonec sends text/plain). */
  chat(to: string, text: string): void {
    this.child.stdin!.write(`chat ${to} ${text}\n`);
  }

  /** Runs one linphonec command (`call sip:…`, `answer`, `terminate`, `autoanswer enable`…). */
  command(line: string): void {
    this.child.stdin!.write(`${line}\n`);
  }

  /** Resolves when the output matches `pattern`. */
  waitFor(pattern: RegExp, timeoutMs = 10_000): Promise<RegExpMatchArray> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const match = pattern.exec(this.output);
        if (!match) return false;
        clearTimeout(timer);
        resolve(match);
        return true;
      };
      const timer = setTimeout(() => {
        const index = this.waiters.indexOf(waiter);
        if (index >= 0) this.waiters.splice(index, 1);
        reject(new Error(`linphonec never printed ${pattern}:\n${this.output.slice(-3000)}`));
      }, timeoutMs);
      const waiter = () => {
        if (check()) this.waiters.splice(this.waiters.indexOf(waiter), 1);
      };
      if (!check()) this.waiters.push(waiter);
    });
  }

  async stop(): Promise<void> {
    const exited = new Promise<void>((resolve) => {
      if (this.child.exitCode !== null) resolve();
      else this.child.once('exit', () => resolve());
    });
    this.child.stdin!.write('quit\n');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 3_000);
    await exited;
    clearTimeout(timer);
    rmSync(this.dir, { recursive: true, force: true });
  }

  private append(text: string): void {
    this.output += text;
    for (const waiter of [...this.waiters]) waiter();
  }
}
