import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freeUdpPort } from './ports.js';

/**
 * Debian's coturn TURN server as an ordinary process on loopback, with one long-term credential
 * (`user`/`password`): what a deployment gives its clients so calls get through firewalls.
 */
export class Coturn {
  private log = '';

  private constructor(
    private readonly child: ChildProcess,
    private readonly dir: string,
    readonly port: number,
  ) {}

  static readonly user = 'parley';
  static readonly password = 'secret';

  static async start(): Promise<Coturn> {
    const port = await freeUdpPort();
    const dir = mkdtempSync(join(tmpdir(), 'parley-turn-'));
    // Relay ports somewhere in 30000–39999, away from rtpengine's and Chromium's.
    const base = 30_000 + Math.floor(Math.random() * 99) * 100;
    const child = spawn(
      '/usr/bin/turnserver',
      [
        '-n',
        '--listening-ip=127.0.0.1',
        '--relay-ip=127.0.0.1',
        `--listening-port=${port}`,
        `--min-port=${base}`,
        `--max-port=${base + 99}`,
        '--lt-cred-mech',
        `--user=${Coturn.user}:${Coturn.password}`,
        '--realm=uc.test',
        '--no-tls',
        '--no-dtls',
        '--no-cli',
        // Both relay addresses are 127.0.0.1: without this coturn answers 403 Forbidden IP.
        '--allow-loopback-peers',
        // Without its own database file it opens the system one.
        `--userdb=${join(dir, 'turndb')}`,
        `--pidfile=${join(dir, 'turnserver.pid')}`,
        '--log-file=stdout',
        '--simple-log',
        '--verbose',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const turn = new Coturn(child, dir, port);
    child.stdout!.on('data', (chunk: Buffer) => (turn.log += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (turn.log += chunk.toString()));
    child.on('error', () => undefined);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`turnserver did not start:\n${turn.log.slice(-2000)}`)), 10_000);
      const check = () => {
        if (turn.log.includes(`UDP listener opened on: 127.0.0.1:${port}`)) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout!.on('data', check);
      child.stderr!.on('data', check);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`turnserver exited with ${code}:\n${turn.log.slice(-2000)}`));
      });
    }).catch((error: unknown) => {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
      throw error;
    });
    return turn;
  }

  /** The URL a client configures. */
  get url(): string {
    return `turn:127.0.0.1:${this.port}?transport=udp`;
  }

  get output(): string {
    return this.log;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => this.child.kill('SIGKILL'), 3_000);
        this.child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        this.child.kill('SIGTERM');
      });
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
