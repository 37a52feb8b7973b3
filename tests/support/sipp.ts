import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freeUdpPort } from './ports.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { stopChild } from './process.js';
import { writeMuLawTone } from './tone.js';

/** The SDP sipp answers with: PCMU only, on its media port (sipp fills in the bracketed fields). */
const SDP = `v=0
o=gateway 1 1 IN IP[local_ip_type] [local_ip]
s=-
c=IN IP[media_ip_type] [media_ip]
t=0 0
m=audio [media_port] RTP/AVP 0
a=rtpmap:0 PCMU/8000
a=sendrecv`;

/** sipp's answer to the INVITE with `status`, carrying the SDP (the same dialog: the same To tag). */
const answer = (status: string) => `
SIP/2.0 ${status}
[last_Via:]
[last_From:]
[last_To:];tag=[pid]gw[call_number]
[last_Call-ID:]
[last_CSeq:]
Contact: <sip:gateway@[local_ip]:[local_port]>
Content-Type: application/sdp
Content-Length: [len]

${SDP}
`;

/**
 * A phone network gateway played by sipp (3.6, with RTP streaming): it answers a call with 183
 * Session Progress carrying SDP and streams a tone at once (early media: the network's ringback or
 * an announcement, RFC 3960), then after `answerAfterMs` answers 200 with the same SDP and waits for
 * the BYE.
 */
export class SippGateway {
  private log = '';

  private constructor(
    private readonly child: ChildProcess,
    private readonly dir: string,
    readonly port: number,
  ) {}

  get address(): string {
    return `sip:127.0.0.1:${this.port}`;
  }

  /** What sipp printed, and the SIP messages it traced. */
  get output(): string {
    const file = join(this.dir, 'messages.log');
    return `${this.log}\n${existsSync(file) ? readFileSync(file, 'utf8') : ''}`;
  }

  static async start(options: { answerAfterMs: number }): Promise<SippGateway> {
    const dir = mkdtempSync(join(tmpdir(), 'parley-sipp-'));
    const tone = join(dir, 'announcement.wav');
    writeMuLawTone(tone, 30);
    const scenario = `<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="gateway with early media">
  <recv request="INVITE" crlf="true"/>
  <send><![CDATA[${answer('183 Session Progress')}]]></send>
  <nop><action><exec rtp_stream="${tone},-1,0"/></action></nop>
  <pause milliseconds="${options.answerAfterMs}"/>
  <send retrans="500"><![CDATA[${answer('200 OK')}]]></send>
  <recv request="ACK"/>
  <recv request="BYE"/>
  <send><![CDATA[
SIP/2.0 200 OK
[last_Via:]
[last_From:]
[last_To:]
[last_Call-ID:]
[last_CSeq:]
Content-Length: 0

]]></send>
</scenario>
`;
    const file = join(dir, 'gateway.xml');
    writeFileSync(file, scenario);
    const [port, mediaPort] = [await freeUdpPort(), await freeUdpPort()];
    const child = spawn(
      'sipp',
      [
        '-sf',
        file,
        '-i',
        '127.0.0.1',
        '-p',
        String(port),
        '-mi',
        '127.0.0.1',
        '-mp',
        String(mediaPort),
        '-m',
        '1',
        '-nostdin',
        '-trace_err',
        '-trace_msg',
        '-message_file',
        join(dir, 'messages.log'),
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const gateway = new SippGateway(child, dir, port);
    child.stdout!.on('data', (chunk: Buffer) => (gateway.log += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (gateway.log += chunk.toString()));
    child.on('error', (error) => (gateway.log += `\n${error.message}`));
    // sipp says nothing when it is ready (its screen is buffered): wait until its UDP port is bound.
    await udpBound(port);
    return gateway;
  }

  async stop(): Promise<void> {
    await stopChild(this.child);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Resolves once something listens on UDP `port` on 127.0.0.1 (read from /proc/net/udp). */
async function udpBound(port: number, timeoutMs = 5_000): Promise<void> {
  const local = `0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  const deadline = Date.now() + timeoutMs;
  while (!readFileSync('/proc/net/udp', 'utf8').includes(local)) {
    if (Date.now() > deadline) throw new Error(`sipp did not bind UDP ${port}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
