/** The `settings` domain: how Parley looks on this machine (list density). */

import { DENSITIES, DEVICE_KINDS, DEVICE_TEXT_MAX, type UiSettings } from '../domain/settings.js';
import { LOCALES } from '../i18n/locales.js';
import { event, type EventSpecs } from './define.js';
import { bool, none, obj, oneOf, optional, str } from './schema.js';

export const settingsRequests = {
  'settings:get': none,
  // The country is checked against the known list in main ('' clears it).
  'settings:set': obj({
    density: optional(oneOf(DENSITIES)),
    readReceipts: optional(bool),
    language: optional(oneOf(LOCALES)),
    defaultCountry: optional(str(2)),
    /** One device for calls: which kind, and the choice ('' id: the system's default). */
    device: optional(obj({ kind: oneOf(DEVICE_KINDS), id: str(DEVICE_TEXT_MAX), label: str(DEVICE_TEXT_MAX) })),
  }),
};

export interface SettingsResponses {
  'settings:get': UiSettings;
  'settings:set': UiSettings;
}

export const settingsEvents = {
  /** A preference changed (from this window or another one). */
  onDidChangeSettings: event<UiSettings>(),
} satisfies EventSpecs;
