import type { Database } from 'better-sqlite3';
import {
  DEFAULT_UI_SETTINGS,
  DENSITIES,
  DEVICE_KINDS,
  DEVICE_TEXT_MAX,
  type DeviceChoice,
  type UiSettings,
} from '../../shared/domain/settings.js';
import { isCountry } from '../../shared/domain/phone.js';
import { isLocale } from '../../shared/i18n/locales.js';
import { getSetting, setSetting } from './settings-repository.js';

const KEY = 'ui';

/** The installation's UI preferences; a stored value this build does not know falls back to the default. */
export function getUiSettings(db: Database): UiSettings {
  const stored = getSetting<Partial<Record<keyof UiSettings, unknown>>>(db, KEY) ?? {};
  const density = DENSITIES.find((d) => d === stored.density) ?? DEFAULT_UI_SETTINGS.density;
  const readReceipts = typeof stored.readReceipts === 'boolean' ? stored.readReceipts : DEFAULT_UI_SETTINGS.readReceipts;
  const defaultCountry = isCountry(stored.defaultCountry) ? stored.defaultCountry : DEFAULT_UI_SETTINGS.defaultCountry;
  const devices = Object.fromEntries(
    DEVICE_KINDS.map((kind) => [kind, deviceChoice((stored.devices as Record<string, unknown> | undefined)?.[kind])]),
  ) as Record<(typeof DEVICE_KINDS)[number], DeviceChoice>;
  const language = isLocale(stored.language) ? stored.language : DEFAULT_UI_SETTINGS.language;
  return { density, readReceipts, defaultCountry, devices, language };
}

function deviceChoice(value: unknown): DeviceChoice {
  const { id, label } = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  return typeof id === 'string' && typeof label === 'string' && id.length <= DEVICE_TEXT_MAX && label.length <= DEVICE_TEXT_MAX
    ? { id, label }
    : DEFAULT_UI_SETTINGS.devices.microphone;
}

export function setUiSettings(db: Database, changes: Partial<UiSettings>): UiSettings {
  const next = { ...getUiSettings(db), ...changes };
  setSetting(db, KEY, next);
  return next;
}
