import { spawn, type ChildProcess } from 'node:child_process';
import { freeUdpPort } from './ports.js';

/**
 * Debian's rtpengine media relay, in userspace (no kernel module, no iptables), on loopback: Kamailio
 * asks it over its ng control port to bridge WebRTC (ICE, DTLS-SRTP) and plain RTP, as real
 * deployments reach desk phones and phone gateways. Started and stopped by the test that owns it.
 */
export class Rtpengine {
  private log = '';

  private constructor(
    private readonly child: ChildProcess,
    readonly ngPort: number,
  ) {}

  static async start(): Promise<Rtpengine> {
    const ngPort = await freeUdpPort();
    // A block of 200 media ports somewhere in 20000–29999 (baresip and Chromium use other ranges).
    const base = 20_000 + Math.floor(Math.random() * 49) * 200;
    const child = spawn(
      '/usr/bin/rtpengine',
      [
        '--config-file=none',
        '--table=-1',
        '--interface=127.0.0.1',
        `--listen-ng=127.0.0.1:${ngPort}`,
        `--port-min=${base}`,
        `--port-max=${base + 199}`,
        '--foreground',
        '--log-stderr',
        '--log-level=6',
        '--delete-delay=0',
        '--timeout=60',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const relay = new Rtpengine(child, ngPort);
    child.stdout!.on('data', (chunk: Buffer) => (relay.log += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (relay.log += chunk.toString()));
    child.on('error', () => undefined);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`rtpengine did not start:\n${relay.log.slice(-2000)}`)), 10_000);
      const check = () => {
        if (relay.log.includes('Startup complete')) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stderr!.on('data', check);
      child.stdout!.on('data', check);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`rtpengine exited with ${code}:\n${relay.log.slice(-2000)}`));
      });
    }).catch((error: unknown) => {
      child.kill('SIGKILL');
      throw error;
    });
    return relay;
  }

  get output(): string {
    return this.log;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 3_000);
      this.child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      this.child.kill('SIGTERM');
    });
  }
}
