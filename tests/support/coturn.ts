import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freeUdpPort } from './ports.js';
import { TestProcess } from './process.js';

/**
 * Debian's coturn TURN server as an ordinary server on loopback, with one long-term credential
 * (`user`/`password`): what a deployment gives its clients so calls get through firewalls.
 */
export class Coturn {
  static readonly user = 'parley';
  static readonly password = 'secret';

  private constructor(
    private readonly server: TestProcess,
    private readonly dir: string,
    readonly port: number,
  ) {}

  static async start(): Promise<Coturn> {
    const port = await freeUdpPort();
    const dir = mkdtempSync(join(tmpdir(), 'parley-turn-'));
    // Relay ports somewhere in 30000–39999, away from rtpengine's and Chromium's.
    const base = 30_000 + Math.floor(Math.random() * 99) * 100;
    try {
      const server = await TestProcess.start(
        'turnserver',
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
        (log) => log.includes(`UDP listener opened on: 127.0.0.1:${port}`),
      );
      return new Coturn(server, dir, port);
    } catch (error) {
      rmSync(dir, { recursive: true, force: true });
      throw error;
    }
  }

  /** The URL a client configures. */
  get url(): string {
    return `turn:127.0.0.1:${this.port}?transport=udp`;
  }

  get output(): string {
    return this.server.output;
  }

  async stop(): Promise<void> {
    await this.server.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
