import { describe, expect, test } from 'vitest';
import { KamailioFrameRepair } from '../../../main/sip/ws-frame-repair.js';

const MAX = 1 << 20;

/** A server's text frame as RFC 6455 §5.2 frames it. */
function frame(payload: Buffer): Buffer {
  if (payload.length < 126) return Buffer.concat([Buffer.from([0x81, payload.length]), payload]);
  if (payload.length < 65_536) {
    const header = Buffer.from([0x81, 126, 0, 0]);
    header.writeUInt16BE(payload.length, 2);
    return Buffer.concat([header, payload]);
  }
  const header = Buffer.alloc(10);
  header[0] = 0x81;
  header[1] = 127;
  header.writeUInt32BE(payload.length, 6);
  return Buffer.concat([header, payload]);
}

/** The same frame as Kamailio 5.6.3 writes it: a 4-byte length after marker 127. */
function kamailioFrame(payload: Buffer): Buffer {
  const header = Buffer.alloc(6);
  header[0] = 0x81;
  header[1] = 127;
  header.writeUInt32BE(payload.length, 2);
  return Buffer.concat([header, payload]);
}

const notify = (bytes: number) => Buffer.from(`NOTIFY sip:alice@uc.test SIP/2.0\r\n${'x'.repeat(bytes - 34)}`.slice(0, bytes));

/** Feeds `bytes` in pieces of `size` and joins what comes out. */
function through(repair: KamailioFrameRepair, bytes: Buffer, size: number): Buffer {
  const out: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += size) out.push(repair.push(bytes.subarray(at, at + size)));
  return Buffer.concat(out);
}

describe("Kamailio's 4-byte length behind marker 127", () => {
  test('the header is rewritten as RFC 6455 frames it (81 7f 00 01 19 e8 4e 4f 54 49 …), however the bytes are split', () => {
    const big = notify(72_168);
    const wrong = kamailioFrame(big);
    expect([...wrong.subarray(0, 10)]).toEqual([0x81, 0x7f, 0x00, 0x01, 0x19, 0xe8, 0x4e, 0x4f, 0x54, 0x49]);
    for (const size of [1, 2, 3, 5, 7, 11, 4096, wrong.length]) {
      const repair = new KamailioFrameRepair(MAX);
      const stream = Buffer.concat([frame(Buffer.from('small')), wrong, frame(notify(300)), wrong, frame(Buffer.from('end'))]);
      const expected = Buffer.concat([frame(Buffer.from('small')), frame(big), frame(notify(300)), frame(big), frame(Buffer.from('end'))]);
      expect(through(repair, stream, size).equals(expected)).toBe(true);
      expect(repair.repaired).toBe(2);
    }
  });

  test('well-formed frames of every length pass untouched', () => {
    const stream = Buffer.concat([
      frame(Buffer.alloc(0)),
      frame(notify(125)),
      frame(notify(126)),
      frame(notify(65_535)),
      frame(notify(65_536)),
      frame(notify(200_000)),
    ]);
    const repair = new KamailioFrameRepair(MAX);
    expect(through(repair, stream, 999).equals(stream)).toBe(true);
    expect(repair.repaired).toBe(0);
  });

  test('nothing else is loosened: an oversize or absurd length, or a masked frame, goes to the parser as it came', () => {
    // Read as Kamailio's, 2 MiB is over what Parley takes: left for ws to refuse.
    const tooBig = Buffer.from([0x81, 0x7f, 0x00, 0x20, 0x00, 0x00, 1, 2, 3, 4, 5, 6]);
    expect(new KamailioFrameRepair(MAX).push(tooBig).equals(tooBig)).toBe(true);
    // A genuine 64-bit length of 2^40: passed on (ws refuses it), and the stream is no longer followed.
    const absurd = Buffer.from([0x81, 0x7f, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 9, 9]);
    const repair = new KamailioFrameRepair(MAX);
    expect(repair.push(absurd).equals(absurd)).toBe(true);
    const later = kamailioFrame(notify(70_000));
    expect(repair.push(later).equals(later)).toBe(true);
    // Servers never mask (RFC 6455 §5.1): a masked frame, and everything after, passes untouched.
    const masked = Buffer.from([0x81, 0x85, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const other = new KamailioFrameRepair(MAX);
    expect(other.push(Buffer.concat([masked, later])).equals(Buffer.concat([masked, later]))).toBe(true);
    expect(other.repaired).toBe(0);
  });
});
