import { safeStorage } from 'electron';
import { FileSecretStore } from '../store/secret-store.js';

/**
 * Passwords encrypted by the operating system's keychain (`safeStorage`: DPAPI on Windows, Keychain
 * on macOS, libsecret on Linux), kept as ciphertext in a file of mode 0600 beside the database —
 * never in SQLite. Without an available keychain nothing is stored (the person types it again).
 */
export function createSafeStorageSecrets(file: string): FileSecretStore {
  return new FileSecretStore(
    file,
    { kind: 'safeStorage' },
    {
      encode: (plain) => {
        if (!safeStorage.isEncryptionAvailable()) throw new Error('The system keychain is not available.');
        return safeStorage.encryptString(plain).toString('base64');
      },
      decode: (stored) => safeStorage.decryptString(Buffer.from(stored, 'base64')),
    },
  );
}
