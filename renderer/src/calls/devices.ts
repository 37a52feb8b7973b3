import { resolveDevice, type DeviceChoice, type DeviceKind, type DeviceOption } from '../../../shared/domain/settings';
import { t } from '../../../shared/i18n/format';

export type { DeviceOption };

const BROWSER_KIND: Record<DeviceKind, MediaDeviceKind> = { microphone: 'audioinput', speaker: 'audiooutput', camera: 'videoinput' };

/**
 * The devices of each kind this page can see, from one enumeration. Before the person has allowed
 * the microphone or camera the browser hides their names (`namesHidden`): they are numbered then.
 * The "default" and "communications" pseudo-devices are left out (the System default choice is that).
 */
export async function scanDevices(): Promise<{ devices: Record<DeviceKind, DeviceOption[]>; namesHidden: boolean }> {
  const all = (await navigator.mediaDevices?.enumerateDevices?.()) ?? [];
  const devices: Record<DeviceKind, DeviceOption[]> = { microphone: [], speaker: [], camera: [] };
  for (const kind of Object.keys(BROWSER_KIND) as DeviceKind[]) {
    const ofKind = all.filter(
      (d) => d.kind === BROWSER_KIND[kind] && d.deviceId && d.deviceId !== 'default' && d.deviceId !== 'communications',
    );
    devices[kind] = ofKind.map((d, i) => ({ id: d.deviceId, label: d.label || t('devices.numbered', { kind, number: i + 1 }) }));
  }
  return { devices, namesHidden: all.some((d) => d.kind !== 'audiooutput' && d.label === '') };
}

const listDevices = async () => (await scanDevices()).devices;

/** getUserMedia constraints for one kind: the chosen device, else any. */
export async function constraintFor(kind: 'microphone' | 'camera', choice: DeviceChoice): Promise<MediaTrackConstraints | true> {
  if (!choice.id) return true;
  const id = resolveDevice(choice, (await listDevices())[kind]);
  return id ? { deviceId: { exact: id } } : true;
}

/** Sends an element's sound to the chosen speaker (where the browser can choose one). */
export async function routeTo(element: HTMLMediaElement, choice: DeviceChoice): Promise<void> {
  const sink = element as HTMLMediaElement & { setSinkId?: (id: string) => Promise<void> };
  if (!sink.setSinkId) return;
  const id = choice.id ? (resolveDevice(choice, (await listDevices()).speaker) ?? '') : '';
  await sink.setSinkId(id).catch(() => undefined);
}

/**
 * A level meter on a microphone: calls `onLevel` with 0–100 ten times a second from the signal's
 * loudness (RMS); returns a stop function.
 */
export function meterLevel(stream: MediaStream, onLevel: (level: number) => void): () => void {
  const context = new AudioContext();
  const analyser = context.createAnalyser();
  analyser.fftSize = 1024;
  context.createMediaStreamSource(stream).connect(analyser);
  const samples = new Float32Array(analyser.fftSize);
  const timer = setInterval(() => {
    analyser.getFloatTimeDomainData(samples);
    let sum = 0;
    for (const sample of samples) sum += sample * sample;
    const rms = Math.sqrt(sum / samples.length);
    // Speech sits around -30 to -10 dBFS: map -60…0 dB onto 0…100.
    const db = rms > 0 ? 20 * Math.log10(rms) : -100;
    onLevel(Math.round(Math.max(0, Math.min(100, ((db + 60) / 60) * 100))));
  }, 100);
  return () => {
    clearInterval(timer);
    void context.close().catch(() => undefined);
  };
}
