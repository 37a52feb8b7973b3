/**
 * Reads one known framing fault of Kamailio's websocket module (seen in Debian 12's 5.6.3) without
 * loosening any other frame check.
 *
 * RFC 6455 §5.2: a payload of 65,536 bytes or more has the length marker 127 followed by an 8-byte
 * length. Kamailio writes a 4-byte length there instead (`81 7f 00 01 19 e8 4e 4f 54 49`: 72,168
 * bytes, then "NOTI" of the NOTIFY where four more length bytes belong). A client that reads the
 * frame as the RFC says sees a length of ~2^48 and must fail the connection; reconnecting brings the
 * same big NOTIFY (a watcher-info document with some 650 watchers), for ever.
 *
 * This sits between the socket and the WebSocket parser (ws), follows the server's frames, and
 * rewrites exactly that header into the one the RFC prescribes: a 64-bit length whose high half is
 * not zero cannot be a real SIP message (Parley takes at most `maxBytes`), and read as Kamailio's
 * 32-bit length it is one that Kamailio would have framed with marker 127 (at least 65,536 and at
 * most `maxBytes`). Every other byte passes as it came, so ws still checks everything else: masking,
 * opcodes, reserved bits, UTF-8, and its own payload cap.
 */
export class KamailioFrameRepair {
  /** Bytes of a frame header not yet complete (headers are at most 14 bytes). */
  private pending: Buffer = Buffer.alloc(0);
  /** Payload bytes of the current frame still to pass through before the next header. */
  private payloadLeft = 0;
  /** Set once the stream is not what this understands (a masked server frame): from then on, hands off. */
  private off = false;
  /** Headers repaired so far. */
  repaired = 0;

  constructor(private readonly maxBytes: number) {}

  /** Takes bytes as they arrive; returns the bytes to hand to the WebSocket parser. */
  push(chunk: Buffer): Buffer {
    if (this.off) return chunk;
    const out: Buffer[] = [];
    let at = 0;
    while (at < chunk.length) {
      if (this.payloadLeft > 0) {
        const take = Math.min(this.payloadLeft, chunk.length - at);
        out.push(chunk.subarray(at, at + take));
        this.payloadLeft -= take;
        at += take;
        continue;
      }
      // A header: gather it whole (it may straddle chunks).
      const need = this.headerLength(Buffer.concat([this.pending, chunk.subarray(at, at + 14)]));
      const have = this.pending.length + (chunk.length - at);
      if (need === undefined || have < need) {
        this.pending = Buffer.concat([this.pending, chunk.subarray(at)]);
        at = chunk.length;
        continue;
      }
      const fromChunk = need - this.pending.length;
      const header = Buffer.concat([this.pending, chunk.subarray(at, at + fromChunk)]);
      this.pending = Buffer.alloc(0);
      at += fromChunk;
      const { bytes, payload } = this.read(header);
      if (this.off) {
        out.push(header, chunk.subarray(at));
        return Buffer.concat(out);
      }
      out.push(bytes);
      this.payloadLeft = payload;
    }
    return Buffer.concat(out);
  }

  /** How long the header starting in `start` is (undefined: not enough bytes to tell yet). */
  private headerLength(start: Buffer): number | undefined {
    if (start.length < 2) return undefined;
    const marker = start[1]! & 0x7f;
    const mask = start[1]! & 0x80 ? 4 : 0;
    if (marker < 126) return 2 + mask;
    if (marker === 126) return 4 + mask;
    if (start.length < 6) return undefined;
    // The 8-byte length, unless it is Kamailio's 4-byte one (see `read`).
    return this.kamailioLength(start) !== undefined ? 6 : 10 + mask;
  }

  /** Kamailio's 32-bit length behind marker 127, when the header is that fault. */
  private kamailioLength(header: Buffer): number | undefined {
    if ((header[1]! & 0x7f) !== 127 || header[1]! & 0x80) return undefined;
    const high = header.readUInt32BE(2);
    return high >= 65_536 && high <= this.maxBytes ? high : undefined;
  }

  /** The header as ws should see it, and the length of the payload that follows. */
  private read(header: Buffer): { bytes: Buffer; payload: number } {
    // RFC 6455 §5.1: a server never masks; a masked frame means this is not the stream we think.
    if (header[1]! & 0x80) {
      this.off = true;
      return { bytes: header, payload: 0 };
    }
    const marker = header[1]! & 0x7f;
    if (marker < 126) return { bytes: header, payload: marker };
    if (marker === 126) return { bytes: header, payload: header.readUInt16BE(2) };
    const kamailio = this.kamailioLength(header);
    if (kamailio !== undefined) {
      this.repaired++;
      const fixed = Buffer.alloc(10);
      fixed[0] = header[0]!;
      fixed[1] = 127;
      fixed.writeUInt32BE(0, 2);
      fixed.writeUInt32BE(kamailio, 6);
      return { bytes: fixed, payload: kamailio };
    }
    // A well-formed 64-bit length (or an absurd one ws will refuse): passed as it is. A length this
    // side cannot follow (over 2^53) means ws closes the connection anyway.
    const high = header.readUInt32BE(2);
    const low = header.readUInt32BE(6);
    const payload = high * 2 ** 32 + low;
    if (!Number.isSafeInteger(payload) || payload > this.maxBytes) this.off = true;
    return { bytes: header, payload: Number.isSafeInteger(payload) ? payload : 0 };
  }
}
