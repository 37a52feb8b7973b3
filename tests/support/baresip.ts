import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, freeUdpPort } from './ports.js';
import { stopChild } from './process.js';

export interface BaresipOptions {
  readonly user: string;
  readonly password: string;
  readonly domain: string;
  /** Kamailio's UDP SIP port (baresip registers over UDP through it). */
  readonly proxyPort: number;
  /** The one contact baresip talks to (`/message` goes to the current contact). */
  readonly contact: string;
  /**
   * Calls with audio: baresip sends this 8 kHz mono WAV in a loop and answers by itself
   * (`answermode=auto`); it prints its RTP counters when a call ends.
   */
  readonly audio?: { readonly wav: string; readonly autoAnswer?: boolean };
  /**
   * False for a phone network gateway placing a call: it does not register, and its From carries
   * the caller's number (`user` is then `+E164`), which the test server trusts from a gateway.
   */
  readonly register?: boolean;
  /** Audio codecs it offers and takes, in order (default PCMU, PCMA); `opus` loads its module. */
  readonly codecs?: readonly string[];
  /** Watch the contact's presence (baresip's presence module, `;presence=p2p` on the contact). */
  readonly presence?: boolean;
}

/**
 * baresip 1.0, a third-party SIP phone, registered over UDP through the test Kamailio and driven
 * through its TCP control interface (netstring JSON). What it prints is kept for assertions.
 */
export class Baresip {
  private output = '';
  private socket: Socket | undefined;
  private nextToken = 1;
  private readonly waiters: (() => void)[] = [];

  private constructor(
    private readonly child: ChildProcess,
    private readonly dir: string,
  ) {}

  static async start(options: BaresipOptions): Promise<Baresip> {
    const dir = mkdtempSync(join(tmpdir(), 'parley-baresip-'));
    const sipPort = await freeUdpPort();
    const ctrlPort = await freePort();
    writeFileSync(
      join(dir, 'config'),
      [
        'poll_method epoll',
        `sip_listen 127.0.0.1:${sipPort}`,
        'sip_trans_def udp',
        'audio_player aubridge,nil',
        options.audio ? `audio_source aufile,${options.audio.wav}` : 'audio_source aubridge,nil',
        'audio_alert aubridge,nil',
        'ausrc_srate 8000',
        'ausrc_channels 1',
        'rtp_stats yes',
        'module_path /usr/lib/baresip/modules',
        'module g711.so',
        ...((options.codecs ?? []).some((codec) => codec.startsWith('opus')) ? ['module opus.so'] : []),
        'module aubridge.so',
        'module aufile.so',
        'module_app account.so',
        'module_app contact.so',
        'module_app menu.so',
        'module_app ctrl_tcp.so',
        ...(options.presence ? ['module_app presence.so'] : []),
        `ctrl_tcp_listen 127.0.0.1:${ctrlPort}`,
        // Without it baresip announces a non-loopback address.
        'net_interface 127.0.0.1',
        '',
      ].join('\n'),
    );
    const register = options.register ?? true;
    writeFileSync(
      join(dir, 'accounts'),
      `<sip:${options.user}@${options.domain};transport=udp>;${register ? `auth_pass=${options.password};` : ''}` +
        `outbound="sip:127.0.0.1:${options.proxyPort};transport=udp";regint=${register ? 300 : 0};answermode=${options.audio?.autoAnswer ? 'auto' : 'manual'};audio_codecs=${(options.codecs ?? ['PCMU', 'PCMA']).join(',')}\n`,
    );
    writeFileSync(join(dir, 'contacts'), `"Peer" <${options.contact}>${options.presence ? ';presence=p2p' : ''}\n`);
    // -s: without it baresip handled MESSAGEs about 5 s late.
    const child = spawn('/usr/bin/baresip', ['-f', dir, '-s'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const baresip = new Baresip(child, dir);
    child.stdout!.on('data', (chunk: Buffer) => baresip.append(chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => baresip.append(chunk.toString()));
    await baresip.waitFor(register ? /\} 200 OK/ : /baresip is ready\./, 10_000).catch((error: unknown) => {
      child.kill('SIGKILL');
      throw error;
    });
    baresip.socket = await new Promise<Socket>((resolve, reject) => {
      const socket = connect(ctrlPort, '127.0.0.1', () => resolve(socket));
      socket.once('error', reject);
    });
    baresip.socket.on('data', (chunk: Buffer) => baresip.append(chunk.toString()));
    baresip.socket.on('error', () => undefined);
    return baresip;
  }

  /** Everything baresip printed so far. */
  get log(): string {
    return this.output;
  }

  /**
   * The final responses baresip received to its requests of `method`, from its SIP trace (`-s`):
   * each traced message starts with a `UDP a -> b` line; digest challenges are left out.
   */
  finalResponses(method: string): number[] {
    return this.output
      .split(/\n(?=UDP \S+ -> )/)
      .map((chunk) => {
        const status = /^SIP\/2\.0 (\d{3})/m.exec(chunk)?.[1];
        const cseq = /^CSeq:\s*\d+\s+(\S+)/im.exec(chunk)?.[1];
        return { status: Number(status ?? 0), cseq };
      })
      .filter((r) => r.cseq === method && r.status >= 200 && r.status !== 401 && r.status !== 407)
      .map((r) => r.status);
  }

  /** Calls `uri`. */
  dial(uri: string): void {
    this.command('dial', uri);
  }

  /** Answers the ringing call. */
  accept(): void {
    this.command('accept', '');
  }

  /** Blind transfer of the current call to `uri` (baresip sends a REFER). */
  transfer(uri: string): void {
    this.command('transfer', uri);
  }

  /** Ends the current call. */
  hangup(): void {
    this.command('hangup', '');
  }

  /** Sends a text MESSAGE to the contact (`/message`). */
  message(text: string): void {
    this.command('message', text);
  }

  /** Resolves once baresip's output matches `pattern` (rejects after `timeoutMs`, with the output). */
  waitFor(pattern: RegExp, timeoutMs = 5_000): Promise<RegExpMatchArray> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const match = this.output.match(pattern);
        if (match) {
          clearTimeout(timer);
          resolve(match);
        }
        return match !== null;
      };
      const timer = setTimeout(() => {
        const index = this.waiters.indexOf(waiter);
        if (index >= 0) this.waiters.splice(index, 1);
        reject(new Error(`baresip never printed ${pattern}:\n${this.output.slice(-3000)}`));
      }, timeoutMs);
      const waiter = () => {
        if (check()) this.waiters.splice(this.waiters.indexOf(waiter), 1);
      };
      if (!check()) this.waiters.push(waiter);
    });
  }

  async stop(): Promise<void> {
    this.socket?.destroy();
    await stopChild(this.child);
    rmSync(this.dir, { recursive: true, force: true });
  }

  private command(command: string, params: string): void {
    const json = JSON.stringify({ command, params, token: String(this.nextToken++) });
    this.socket?.write(`${Buffer.byteLength(json)}:${json},`);
  }

  private append(text: string): void {
    this.output += text;
    for (const waiter of [...this.waiters]) waiter();
  }
}
