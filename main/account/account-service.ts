import { Problem } from '../../shared/domain/problem.js';
import type { Database } from 'better-sqlite3';
import {
  needsTurnCredentials,
  parseIceServers,
  validateSignIn,
  type SavedAccount,
  type SignInParams,
} from '../../shared/domain/account.js';
import type { IceServerConfig } from '../../shared/domain/calls.js';
import type { ConnectionState } from '../../shared/domain/connection.js';
import { parseServerUrl, parseSipAddress, serverFor } from '../../shared/domain/sip-address.js';
import { err, type Result } from '../../shared/ipc/result.js';
import { deleteAccount, getAccount, saveAccount, setAutoSignIn, type AccountRecord } from '../store/account-repository.js';
import type { SecretStore } from '../store/secret-store.js';
import { getAccountState, updateAccountState } from '../store/account-state-repository.js';
import type { SipConnection } from '../sip/sip-connection.js';
import { createLogger, type Logger } from '../logger.js';

/** The key a password is kept under in the secret store. */
export function passwordKey(uri: string): string {
  return `password:${uri}`;
}

/** The key an account's TURN password is kept under. */
export function turnPasswordKey(uri: string): string {
  return `turn:${uri}`;
}

/**
 * Signing in and out as a person sees it: checks the form, remembers the account (in SQLite) and
 * the password (in the secret store, only if asked), and signs in again at the next start.
 */
export class AccountService {
  constructor(
    private readonly db: Database,
    private readonly secrets: SecretStore,
    private readonly connection: SipConnection,
    private readonly log: Logger = createLogger('account'),
  ) {}

  /** The address of the remembered account, if any. */
  rememberedUri(): string | undefined {
    return getAccount(this.db)?.uri;
  }

  /** The remembered account, without its password. */
  async get(): Promise<SavedAccount | null> {
    const account = getAccount(this.db);
    if (!account) return null;
    const hasPassword = account.rememberPassword && (await this.readPassword(account.uri)) !== null;
    return {
      uri: account.uri,
      server: account.server,
      authUser: account.authUser,
      displayName: account.displayName,
      rememberPassword: account.rememberPassword,
      hasPassword,
      xcapRoot: getAccountState(this.db, account.uri).xcapRoot,
      trustedCertificate: getAccountState(this.db, account.uri).trustedCertificate,
      iceServers: getAccountState(this.db, account.uri).iceServers,
      iceUser: getAccountState(this.db, account.uri).iceUser,
      hasIcePassword: (await this.readSecret(turnPasswordKey(account.uri))) !== null,
      gateway: getAccountState(this.db, account.uri).gateway,
    };
  }

  /** The TURN password of this session (kept in memory when the person did not ask to remember passwords). */
  private icePassword: { uri: string; password: string } | null = null;

  /**
   * The signed-in account's STUN/TURN servers for a call's RTCPeerConnection (the TURN password goes
   * to the page that makes the call: WebRTC needs it there).
   */
  async iceServers(): Promise<Result<readonly IceServerConfig[]>> {
    const uri = this.connection.account?.uri;
    if (!uri) return err('state', Problem.SignInFirst);
    const state = getAccountState(this.db, uri);
    const parsed = parseIceServers(state.iceServers);
    if ('error' in parsed || parsed.urls.length === 0) return { ok: true, value: [] };
    const stun = parsed.urls.filter((url) => /^stuns?:/i.test(url));
    const turn = parsed.urls.filter((url) => /^turns?:/i.test(url));
    const credential = this.icePassword?.uri === uri ? this.icePassword.password : await this.readSecret(turnPasswordKey(uri));
    return {
      ok: true,
      value: [
        ...(stun.length > 0 ? [{ urls: stun }] : []),
        ...(turn.length > 0 && credential !== null ? [{ urls: turn, username: state.iceUser, credential }] : []),
      ],
    };
  }

  /** Sign-in and sign-out run one at a time (two tabs signing in at once must not interleave). */
  private queue: Promise<unknown> = Promise.resolve();

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Signs in with what the form holds. An empty password means "the remembered one". */
  signIn(params: SignInParams): Promise<Result<ConnectionState>> {
    return this.exclusive(() => this.signInNow(params));
  }

  private async signInNow(params: SignInParams): Promise<Result<ConnectionState>> {
    const saved = getAccount(this.db);
    const address = parseSipAddress(params.address);
    const rememberedPassword =
      params.password === '' && saved && address && saved.uri === address.uri ? await this.readPassword(saved.uri) : null;
    const rememberedIcePassword = saved && address && saved.uri === address.uri ? await this.readSecret(turnPasswordKey(saved.uri)) : null;
    const errors = validateSignIn(params, { passwordKnown: rememberedPassword !== null, icePasswordKnown: rememberedIcePassword !== null });
    if (errors.length > 0 || !address) {
      const first = errors[0]!;
      return err('invalid', first.problem, first);
    }
    const server = parseServerUrl(serverFor(params.server, params.address))!.url;
    const password = params.password === '' ? rememberedPassword! : params.password;
    const record: AccountRecord = {
      uri: address.uri,
      server,
      authUser: params.authUser?.trim() ?? '',
      displayName: params.displayName?.trim() ?? '',
      rememberPassword: params.rememberPassword,
      autoSignIn: true,
    };
    if (this.connection.current.status !== 'signedOut') return err('state', Problem.AlreadySignedIn);

    // Remember first, announce after: the moment the UI shows "Available" the account must already
    // be safe on disk, or quitting right then would forget it. A failed sign-in restores what was there.
    const previousPassword = await this.readPassword(address.uri);
    const previous = getAccountState(this.db, address.uri);
    const ice = parseIceServers(params.iceServers ?? []);
    const iceUrls = 'urls' in ice ? ice.urls : [];
    const turn = needsTurnCredentials(iceUrls);
    updateAccountState(this.db, address.uri, {
      xcapRoot: params.xcapRoot?.trim() ?? '',
      iceServers: iceUrls.join('\n'),
      iceUser: turn ? (params.iceUser?.trim() ?? '') : '',
      gateway: params.gateway?.trim().toLowerCase() ?? '',
    });
    const previousIcePassword = await this.readSecret(turnPasswordKey(address.uri));
    const icePassword = turn ? params.icePassword || rememberedIcePassword : null;
    this.icePassword = icePassword ? { uri: address.uri, password: icePassword } : null;
    await this.keepSecret(turnPasswordKey(address.uri), params.rememberPassword ? icePassword : null);
    const kept = await this.remember(record, params.rememberPassword ? password : null);
    const trustedCertificate = getAccountState(this.db, address.uri).trustedCertificate;
    const result = await this.connection.signIn({ ...record, password, ...(trustedCertificate ? { trustedCertificate } : {}) });
    if (!result.ok) {
      if (saved) saveAccount(this.db, saved);
      else deleteAccount(this.db);
      updateAccountState(this.db, address.uri, {
        xcapRoot: previous.xcapRoot,
        iceServers: previous.iceServers,
        iceUser: previous.iceUser,
        gateway: previous.gateway,
      });
      await this.restorePassword(address.uri, previousPassword);
      await this.keepSecret(turnPasswordKey(address.uri), previousIcePassword);
      this.icePassword = null;
      return result;
    }
    if (!kept) this.log.warn('signed in, but the password could not be kept; the next start will ask for it');
    return result;
  }

  /** Saves the account and (if given) its password; false when the secret store refused it. */
  private async remember(record: AccountRecord, password: string | null): Promise<boolean> {
    saveAccount(this.db, record);
    try {
      if (password !== null) await this.secrets.set(passwordKey(record.uri), password);
      else await this.secrets.delete(passwordKey(record.uri));
      return true;
    } catch (error) {
      this.log.warn(`could not keep the password: ${String(error)}`);
      saveAccount(this.db, { ...record, rememberPassword: false });
      return false;
    }
  }

  private restorePassword(uri: string, password: string | null): Promise<void> {
    return this.keepSecret(passwordKey(uri), password);
  }

  /**
   * Trusts this certificate (by its SHA-256 fingerprint) for the account at `address`: its private
   * server is then accepted with exactly that certificate, for SIP and XCAP. An empty fingerprint
   * stops trusting it.
   */
  trustCertificate(address: string, fingerprint: string): Result<void> {
    const uri = parseSipAddress(address)?.uri;
    if (!uri) return err('invalid', Problem.NotSipAddress, 'address');
    const clean = fingerprint.trim().toUpperCase();
    if (clean !== '' && !/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/.test(clean)) return err('invalid', Problem.NotFingerprint);
    updateAccountState(this.db, uri, { trustedCertificate: clean });
    return { ok: true, value: undefined };
  }

  /** Signs out and stays out at the next start, keeping the account for the form. */
  signOut(): Promise<ConnectionState> {
    // Cancels a sign-in in progress at once (the person should not wait for a slow server), then
    // takes its turn so that it never interleaves with a sign-in's remembering.
    const cancelled = this.connection.signOut();
    this.icePassword = null;
    return this.exclusive(async () => {
      if (getAccount(this.db)) setAutoSignIn(this.db, false);
      await cancelled;
      return this.connection.signOut();
    });
  }

  /**
   * At start: signs in again when the account and its password are remembered. An unreachable
   * server is retried in the background (Reconnecting…), not reported as a failure.
   */
  async resume(): Promise<void> {
    const account = getAccount(this.db);
    if (!account || !account.autoSignIn || !account.rememberPassword) return;
    const password = await this.readPassword(account.uri);
    if (password === null) return;
    const trustedCertificate = getAccountState(this.db, account.uri).trustedCertificate;
    await this.connection.signIn({ ...account, password, ...(trustedCertificate ? { trustedCertificate } : {}) }, { keepTrying: true });
  }

  private readPassword(uri: string): Promise<string | null> {
    return this.readSecret(passwordKey(uri));
  }

  private async readSecret(key: string): Promise<string | null> {
    try {
      return await this.secrets.get(key);
    } catch {
      // An unreadable secret (keychain locked, file damaged) just means "type it again".
      return null;
    }
  }

  /** Keeps a secret, or forgets it (null); a store that refuses is logged, not fatal. */
  private async keepSecret(key: string, secret: string | null): Promise<void> {
    try {
      if (secret !== null) await this.secrets.set(key, secret);
      else await this.secrets.delete(key);
    } catch (error) {
      this.log.warn(`could not keep a secret: ${String(error)}`);
    }
  }
}
