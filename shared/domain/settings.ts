/** Preferences of this installation that the Settings view changes. */

import { DEFAULT_LOCALE, type Locale } from '../i18n/locales.js';

/** How much room a contact takes in the list: two lines (name, then status and note) or one. */
export type Density = 'comfortable' | 'compact';

export const DENSITIES: readonly Density[] = ['comfortable', 'compact'];

/** The kinds of device a call uses. */
export const DEVICE_KINDS = ['microphone', 'speaker', 'camera'] as const;
export type DeviceKind = (typeof DEVICE_KINDS)[number];

/**
 * A chosen device: its id (as this page's origin sees it) and its label. The label finds the device
 * again when the id changes — a browser gives each origin its own ids, and web mode's port changes
 * between launches. An empty id means the system's default.
 */
export interface DeviceChoice {
  readonly id: string;
  readonly label: string;
}

/** Longest device id or label kept. */
export const DEVICE_TEXT_MAX = 256;

/** A device the person can pick. */
export interface DeviceOption {
  readonly id: string;
  readonly label: string;
}

/**
 * The id of the chosen device among those present: by id, else by label (ids differ per origin and
 * may change); undefined means the system's default — also when the chosen device is gone (an
 * unplugged headset), as a call must still have sound.
 */
export function resolveDevice(choice: DeviceChoice, present: readonly DeviceOption[]): string | undefined {
  if (!choice.id) return undefined;
  return (present.find((d) => d.id === choice.id) ?? present.find((d) => choice.label !== '' && d.label === choice.label))?.id;
}

export const SYSTEM_DEFAULT_DEVICE: DeviceChoice = { id: '', label: '' };

/** Preferences of this installation (not of an account: they hold whoever signs in). */
export interface UiSettings {
  readonly density: Density;
  /** Tell people when I have read their messages (RFC 5438 display notifications). */
  readonly readReceipts: boolean;
  /** ISO 3166 country whose national numbers the keypad takes and shows ('' until chosen). */
  readonly defaultCountry: string;
  /** The microphone, speaker and camera calls use. */
  readonly devices: Readonly<Record<DeviceKind, DeviceChoice>>;
  /** The language of Parley's words (Settings ▸ Language). */
  readonly language: Locale;
}

export const DEFAULT_UI_SETTINGS: UiSettings = {
  density: 'comfortable',
  readReceipts: true,
  defaultCountry: '',
  devices: { microphone: SYSTEM_DEFAULT_DEVICE, speaker: SYSTEM_DEFAULT_DEVICE, camera: SYSTEM_DEFAULT_DEVICE },
  language: DEFAULT_LOCALE,
};
