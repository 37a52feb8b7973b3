import { safeStorage } from 'electron';
import type { SecretStorage } from '../../shared/domain/app-info.js';
import { FileSecretStore } from '../store/secret-store.js';

/**
 * Whether the system keychain can keep a password. On Linux without a keyring (no GNOME Keyring or
 * KWallet running) Electron "encrypts" with a key hard-coded in Chromium (the `basic_text` backend):
 * anyone who can read the file can read the password, so that counts as no keychain at all.
 * Call after the app is ready (Linux decides the backend then).
 */
export function keychainStorage(): SecretStorage {
  if (!safeStorage.isEncryptionAvailable()) {
    return { kind: 'unavailable', reason: 'noKeychain' };
  }
  if (process.platform === 'linux' && safeStorage.getSelectedStorageBackend() === 'basic_text') {
    return { kind: 'unavailable', reason: 'keychainNotRunning' };
  }
  return { kind: 'safeStorage' };
}

/**
 * Passwords encrypted by the operating system's keychain (`safeStorage`: DPAPI on Windows, Keychain
 * on macOS, libsecret on Linux), kept as ciphertext in a file of mode 0600 beside the database —
 * never in SQLite. Without an available keychain nothing is stored (the person types it again).
 */
export function createSafeStorageSecrets(file: string): FileSecretStore {
  const storage = keychainStorage();
  return new FileSecretStore(file, storage, {
    encode: (plain) => {
      if (storage.kind !== 'safeStorage' || keychainStorage().kind !== 'safeStorage')
        throw new Error('The system keychain is not available.');
      return safeStorage.encryptString(plain).toString('base64');
    },
    decode: (stored) => safeStorage.decryptString(Buffer.from(stored, 'base64')),
  });
}
