import { freeUdpPort } from './ports.js';
import { TestProcess } from './process.js';

/**
 * Debian's rtpengine media relay, in userspace (no kernel module, no iptables), on loopback: Kamailio
 * asks it over its ng control port to bridge WebRTC (ICE, DTLS-SRTP) and plain RTP, as real
 * deployments reach desk phones and phone gateways. Started and stopped by the test that owns it.
 */
export class Rtpengine {
  private constructor(
    private readonly server: TestProcess,
    readonly ngPort: number,
  ) {}

  static async start(): Promise<Rtpengine> {
    const ngPort = await freeUdpPort();
    // A block of 200 media ports somewhere in 20000–29999 (baresip and Chromium use other ranges).
    const base = 20_000 + Math.floor(Math.random() * 49) * 200;
    const server = await TestProcess.start(
      'rtpengine',
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
      (log) => log.includes('Startup complete'),
    );
    return new Rtpengine(server, ngPort);
  }

  get output(): string {
    return this.server.output;
  }

  stop(): Promise<void> {
    return this.server.stop();
  }
}
