import Database from 'better-sqlite3';
import { spawn, spawnSync, execFile, type ChildProcess } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort, waitForPort } from './ports.js';

const run = promisify(execFile);
const SCHEMA_DIR = '/usr/share/kamailio/db_sqlite';
const CONFIG = new URL('./kamailio.cfg', import.meta.url);

/** The SIP domain every test user lives in. */
export const DOMAIN = 'uc.test';

export interface KamailioOptions {
  /** The SIP domain this server is authoritative for (default DOMAIN). */
  readonly domain?: string;
  /** Ports to use (default: free ones). */
  readonly sipPort?: number;
  readonly wsPort?: number;
  /** Federation: send requests for `domain` to `address` (e.g. `sip:127.0.0.1:5070`). */
  readonly peer?: { readonly domain: string; readonly address: string };
  /** Users to create (name → password) in the `subscriber` table; digest auth is on. */
  readonly users?: Record<string, string>;
  /** WITH_XCAPRULES: presence authorisation by pres-rules. */
  readonly presRules?: boolean;
  /** registrar max_expires in seconds (tests shorten it to see refreshes). */
  readonly maxExpires?: number;
  /** WITH_MSILO: store MESSAGEs for users who are not signed in (202) and deliver them at REGISTER. */
  readonly msilo?: boolean;
  /** WITH_GATEWAY: calls to numbers (`+E164`) go to the user `gateway` (a phone standing in for the phone network). */
  readonly gateway?: boolean;
  /** WITH_RTPENGINE: calls go through this rtpengine's media relay (its ng control port). */
  readonly rtpengine?: { readonly ngPort: number };
  /** WITH_TLS: also SIP over secure WebSocket, with this key and certificate (PEM). */
  readonly tls?: { readonly key: string; readonly cert: string };
}

/**
 * A real Kamailio on free loopback ports with a fresh SQLite database, started and stopped by the
 * test that owns it. `stop()` and `start()` again keep ports and database: a server restart.
 */
export class Kamailio {
  readonly dir: string;
  sipPort = 0;
  wsPort = 0;
  wssPort = 0;
  private child: ChildProcess | undefined;
  private log = '';

  private constructor(private readonly options: KamailioOptions) {
    this.dir = mkdtempSync(join(tmpdir(), 'parley-kamailio-'));
  }

  /** Creates the database and config and starts the server. */
  static async launch(options: KamailioOptions = {}): Promise<Kamailio> {
    const kamailio = new Kamailio(options);
    kamailio.prepare();
    // A port found free can be taken by another test's server before Kamailio binds it: then pick
    // new ports and start again (ports the caller fixed are not changed).
    for (let attempt = 1; ; attempt++) {
      kamailio.sipPort = options.sipPort ?? (await freePort());
      kamailio.wsPort = options.wsPort ?? (await freePort());
      while (kamailio.wsPort === kamailio.sipPort) kamailio.wsPort = await freePort();
      if (options.tls) {
        kamailio.wssPort = await freePort();
        while (kamailio.wssPort === kamailio.sipPort || kamailio.wssPort === kamailio.wsPort) kamailio.wssPort = await freePort();
      }
      kamailio.writeConfig();
      try {
        await kamailio.start();
        return kamailio;
      } catch (error) {
        const portClash = /bind|address already in use/i.test(String(error));
        if (!portClash || attempt >= 5 || (options.sipPort && options.wsPort)) throw error;
      }
    }
  }

  /** The domain this server serves. */
  get domain(): string {
    return this.options.domain ?? DOMAIN;
  }

  /** The secure SIP-over-WebSocket URL (with `tls`), by host name so that the certificate's name is checked. */
  get wssUrl(): string {
    return `wss://localhost:${this.wssPort}`;
  }

  /** The SIP-over-WebSocket URL clients use. */
  get wsUrl(): string {
    return `ws://127.0.0.1:${this.wsPort}`;
  }

  /** Everything the server logged so far (for a failing test's message). */
  get output(): string {
    return this.log;
  }

  async start(): Promise<void> {
    if (this.child) return;
    const defines = ['-A', 'WITH_AUTH'];
    if (this.options.presRules) defines.push('-A', 'WITH_XCAPRULES');
    if (this.options.tls) defines.push('-A', 'WITH_TLS');
    if (this.options.msilo) defines.push('-A', 'WITH_MSILO');
    if (this.options.rtpengine) defines.push('-A', 'WITH_RTPENGINE');
    if (this.options.gateway) defines.push('-A', 'WITH_GATEWAY');
    const peer = this.options.peer;
    if (peer) defines.push('-A', 'WITH_PEER', '-A', `PEER_DOMAIN="${peer.domain}"`, '-A', `PEER_ADDR="${peer.address}"`);
    this.log = '';
    // -DD: stay in the foreground (so we own the process) but fork the SIP workers; -E: log to stderr.
    const child = spawn('/usr/sbin/kamailio', ['-f', join(this.dir, 'kamailio.cfg'), '-DD', '-E', '-m', '256', '-M', '16', ...defines], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (chunk: Buffer) => (this.log += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (this.log += chunk.toString()));
    this.child = child;
    const exited = new Promise<never>((_, reject) =>
      child.once('exit', (code) => {
        if (this.child === child) this.child = undefined;
        reject(new Error(`kamailio exited with ${code}:\n${this.log.slice(-4000)}`));
      }),
    );
    exited.catch(() => undefined);
    try {
      await Promise.race([waitForPort(this.wsPort, 15_000), exited]);
      if (this.wssPort) await Promise.race([waitForPort(this.wssPort, 15_000), exited]);
    } catch (error) {
      if (this.child === child) {
        this.child = undefined;
        child.kill('SIGKILL');
      }
      throw error;
    }
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = undefined;
    if (child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      child.kill('SIGTERM');
    });
  }

  /**
   * Freezes every Kamailio process (SIGSTOP): connections stay open but nothing answers, as when a
   * network path dies without a close or a server hangs. `thaw()` resumes them.
   */
  freeze(): void {
    this.signalAll('SIGSTOP');
  }

  thaw(): void {
    this.signalAll('SIGCONT');
  }

  private signalAll(signal: 'SIGSTOP' | 'SIGCONT'): void {
    const pid = this.child?.pid;
    if (!pid) throw new Error('kamailio is not running');
    spawnSync('pkill', [`-${signal.slice(3)}`, '-P', String(pid)]);
    process.kill(pid, signal);
  }

  /** Stops the server and removes its files. */
  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** The contacts the registrar holds for `user@DOMAIN` (empty when not registered). */
  async contacts(user: string): Promise<string[]> {
    try {
      const { stdout } = await run('/usr/sbin/kamcmd', [
        '-s',
        `unix:${join(this.dir, 'run', 'kamailio_ctl')}`,
        'ul.lookup',
        'location',
        `${user}@${this.domain}`,
      ]);
      return [...stdout.matchAll(/Address:\s*(\S+)/g)].map((m) => m[1]!);
    } catch (error) {
      const text =
        String((error as { stdout?: string; stderr?: string }).stderr ?? '') + String((error as { stdout?: string }).stdout ?? '');
      if (/not found/i.test(text) || /404/.test(text)) return [];
      throw error;
    }
  }

  /** The REGISTER requests `user` sent that passed authentication, as `{ expires, contact }` (from the log). */
  registers(user: string): { expires: string; contact: string }[] {
    const pattern = new RegExp(`REGISTER from=sip:${user}@${this.domain.replace('.', '\\.')} expires=(\\S*) contact=(.*)$`, 'gm');
    return [...this.log.matchAll(pattern)].map((m) => ({ expires: m[1]!, contact: m[2]! }));
  }

  /** The SUBSCRIBE and PUBLISH requests the presence server handled (from its log), oldest first. */
  presenceRequests(): { method: 'SUBSCRIBE' | 'PUBLISH'; from: string; to: string; event: string; expires: string }[] {
    return [...this.log.matchAll(/(SUBSCRIBE|PUBLISH) from=(\S+) to=(\S+) event=(\S*) expires=(\S*)$/gm)].map((m) => ({
      method: m[1] as 'SUBSCRIBE' | 'PUBLISH',
      from: m[2]!,
      to: m[3]!,
      event: m[4]!,
      expires: m[5]!,
    }));
  }

  /** How many OPTIONS keep-alive checks (to the server itself) `from` sent. */
  keepalives(from: string): number {
    return [...this.log.matchAll(/KEEPALIVE from=(\S+)$/gm)].filter((m) => m[1] === from).length;
  }

  /** The Allow header of each REGISTER, SUBSCRIBE and PUBLISH the server handled, oldest first (`<null>` when absent). */
  allowHeaders(method: 'REGISTER' | 'SUBSCRIBE' | 'PUBLISH', from: string): string[] {
    return [...this.log.matchAll(/^.*ALLOW (\S+) from=(\S+) allow=(.*)$/gm)]
      .filter((m) => m[1] === method && m[2] === from)
      .map((m) => m[3]!.trim());
  }

  private prepare(): void {
    mkdirSync(join(this.dir, 'db'));
    mkdirSync(join(this.dir, 'run'));
    const db = new Database(join(this.dir, 'db', 'kamailio.sqlite'));
    try {
      // Kamailio's db_sqlite (5.6) has no busy timeout: with a rollback journal, one worker's write
      // (presence, a watcher) made another worker's read (a digest check) fail with "database is
      // locked" and the REGISTER was refused. In WAL mode (kept in the file) readers never wait.
      db.pragma('journal_mode = WAL');
      for (const schema of ['standard', 'auth_db', 'usrloc', 'presence', 'msilo']) {
        db.exec(readFileSync(join(SCHEMA_DIR, `${schema}-create.sql`), 'utf8'));
      }
      const insert = db.prepare('INSERT INTO subscriber (username, domain, password) VALUES (?, ?, ?)');
      for (const [user, password] of Object.entries(this.options.users ?? {})) insert.run(user, this.domain, password);
    } finally {
      db.close();
    }
  }

  private writeConfig(): void {
    const text = readFileSync(CONFIG, 'utf8')
      .replaceAll('@RUNDIR@', this.dir)
      .replaceAll('@SIP_PORT@', String(this.sipPort))
      .replaceAll('@WS_PORT@', String(this.wsPort))
      .replaceAll('@WSS_PORT@', String(this.wssPort || this.wsPort))
      .replaceAll('@MAX_EXPIRES@', String(this.options.maxExpires ?? 3600))
      .replaceAll('@DOMAIN@', this.domain)
      .replaceAll('@NG_PORT@', String(this.options.rtpengine?.ngPort ?? 0));
    writeFileSync(join(this.dir, 'kamailio.cfg'), text);
    const tls = this.options.tls;
    if (tls) {
      writeFileSync(join(this.dir, 'tls.key'), tls.key, { mode: 0o600 });
      writeFileSync(join(this.dir, 'tls.crt'), tls.cert);
      writeFileSync(
        join(this.dir, 'tls.cfg'),
        [
          '[server:default]',
          'method = TLSv1.2+',
          'verify_certificate = no',
          'require_certificate = no',
          `private_key = ${join(this.dir, 'tls.key')}`,
          `certificate = ${join(this.dir, 'tls.crt')}`,
          '',
          '[client:default]',
          'method = TLSv1.2+',
          'verify_certificate = no',
          'require_certificate = no',
          '',
        ].join('\n'),
      );
    }
  }
}
