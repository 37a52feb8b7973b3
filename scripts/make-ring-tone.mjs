#!/usr/bin/env node
// Writes assets/ring.wav: the ring Parley plays while a call rings (a double ring, 440 + 480 Hz as
// on many phone networks, then silence; 8 kHz mono 16-bit, 3 s, looped by the page). Generated, so
// that the repository says how it was made; run it again only to change the sound.
import { writeFileSync } from 'node:fs';

const rate = 8000;
const seconds = 3;
const samples = rate * seconds;
const data = Buffer.alloc(samples * 2);
const on = (t) => (t >= 0 && t < 0.4) || (t >= 0.6 && t < 1.0);
for (let i = 0; i < samples; i++) {
  const t = i / rate;
  if (!on(t)) continue;
  // A short fade at each edge, so the ring does not click.
  const edge = Math.min(1, (t % 0.6) / 0.01, (0.4 - (t % 0.6)) / 0.01);
  const value = (Math.sin(2 * Math.PI * 440 * t) + Math.sin(2 * Math.PI * 480 * t)) * 0.3 * Math.max(0, edge);
  data.writeInt16LE(Math.round(value * 32767 * 0.8), i * 2);
}
const header = Buffer.alloc(44);
header.write('RIFF', 0);
header.writeUInt32LE(36 + data.length, 4);
header.write('WAVE', 8);
header.write('fmt ', 12);
header.writeUInt32LE(16, 16);
header.writeUInt16LE(1, 20);
header.writeUInt16LE(1, 22);
header.writeUInt32LE(rate, 24);
header.writeUInt32LE(rate * 2, 28);
header.writeUInt16LE(2, 32);
header.writeUInt16LE(16, 34);
header.write('data', 36);
header.writeUInt32LE(data.length, 40);
writeFileSync(new URL('../assets/ring.wav', import.meta.url), Buffer.concat([header, data]));
