import { writeFileSync } from 'node:fs';

/** A WAV file of 8 kHz mono `data`: PCM (format 1, 16-bit) or μ-law (format 7, 8-bit). */
function wav(data: Buffer, format: 1 | 7): Buffer {
  const rate = 8000;
  const bytesPerSample = format === 1 ? 2 : 1;
  const header = Buffer.alloc(44);
  header.write('RIFF', 0);
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVE', 8);
  header.write('fmt ', 12);
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(format, 20);
  header.writeUInt16LE(1, 22); // mono
  header.writeUInt32LE(rate, 24);
  header.writeUInt32LE(rate * bytesPerSample, 28);
  header.writeUInt16LE(bytesPerSample, 32);
  header.writeUInt16LE(bytesPerSample * 8, 34);
  header.write('data', 36);
  header.writeUInt32LE(data.length, 40);
  return Buffer.concat([header, data]);
}

/** The samples of a 440 Hz tone at 8 kHz, `seconds` long. */
function tone(seconds: number): number[] {
  return Array.from({ length: 8000 * seconds }, (_, i) => Math.round(Math.sin((2 * Math.PI * 440 * i) / 8000) * 8000));
}

/** Writes a WAV file (8 kHz, mono, 16-bit PCM) of a 440 Hz tone, `seconds` long: a phone's audio. */
export function writeTone(path: string, seconds = 3): void {
  const samples = tone(seconds);
  const data = Buffer.alloc(samples.length * 2);
  samples.forEach((sample, i) => data.writeInt16LE(sample, i * 2));
  writeFileSync(path, wav(data, 1));
}

/** G.711 μ-law of one 16-bit sample (ITU-T G.711, the segment encoding). */
function muLaw(sample: number): number {
  const BIAS = 0x84;
  const sign = sample < 0 ? 0x80 : 0;
  let magnitude = Math.min(Math.abs(sample), 32_635) + BIAS;
  let exponent = 7;
  for (let mask = 0x4000; (magnitude & mask) === 0 && exponent > 0; mask >>= 1) exponent--;
  const mantissa = (magnitude >> (exponent + 3)) & 0x0f;
  magnitude = ~(sign | (exponent << 4) | mantissa) & 0xff;
  return magnitude;
}

/** The same tone as a μ-law WAV (format 7): what sipp's rtp_stream sends as PCMU (payload type 0). */
export function writeMuLawTone(path: string, seconds = 3): void {
  writeFileSync(path, wav(Buffer.from(tone(seconds).map(muLaw)), 7));
}
