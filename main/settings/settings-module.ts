import { Problem } from '../../shared/domain/problem.js';
import { isCountry } from '../../shared/domain/phone.js';
import { DEVICE_TEXT_MAX } from '../../shared/domain/settings.js';
import { cleanText } from '../../shared/domain/text.js';
import { err, ok } from '../../shared/ipc/result.js';
import type { ModuleFactory } from '../engine-context.js';
import { getUiSettings, setUiSettings } from '../store/ui-settings-repository.js';

/**
 * The installation's preferences (density, read receipts, country, devices, language): read,
 * changed, told to every page (each page, and the desktop shell, speaks the language it names).
 */
export const settingsModule: ModuleFactory = ({ db, emit }) => ({
  name: 'settings',
  handlers: {
    'settings:get': async () => ok(getUiSettings(db)),
    'settings:set': async (changes) => {
      if (changes.defaultCountry !== undefined && changes.defaultCountry !== '' && !isCountry(changes.defaultCountry)) {
        return err('invalid', Problem.UnknownCountry, 'defaultCountry');
      }
      const next = setUiSettings(db, {
        ...(changes.density ? { density: changes.density } : {}),
        ...(changes.readReceipts !== undefined ? { readReceipts: changes.readReceipts } : {}),
        ...(changes.language ? { language: changes.language } : {}),
        ...(changes.defaultCountry !== undefined ? { defaultCountry: changes.defaultCountry } : {}),
        ...(changes.device
          ? {
              devices: {
                ...getUiSettings(db).devices,
                [changes.device.kind]: { id: changes.device.id, label: cleanText(changes.device.label, DEVICE_TEXT_MAX) },
              },
            }
          : {}),
      });
      emit('onDidChangeSettings', next);
      return ok(next);
    },
  },
});
