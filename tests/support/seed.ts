import { problemText } from '../../shared/domain/problem.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../../main/engine.js';
import { FileSecretStore } from '../../main/store/secret-store.js';
import { DOMAIN, type Kamailio } from './kamailio.js';

/**
 * A data folder for `user` with `count` contacts spread over `groups` groups, made by an engine the
 * way the app would have made it (signed in, password remembered), ready for a web-mode Parley.
 */
export async function seedContacts(
  kamailio: Kamailio,
  user: string,
  count: number,
  options: { groups?: readonly string[]; password?: string; /** More contacts, by address. */ also?: readonly string[] } = {},
): Promise<string> {
  const dataDir = mkdtempSync(join(tmpdir(), `parley-${user}-${count}-`));
  const engine = new Engine({ dataDir, mode: 'web', version: 'test', secrets: new FileSecretStore(join(dataDir, 'credentials.json')) });
  try {
    const signedIn = await engine.account.signIn({
      address: `${user}@${DOMAIN}`,
      password: options.password ?? `${user}-pw`,
      server: kamailio.wsUrl,
      rememberPassword: true,
    });
    if (!signedIn.ok) throw new Error(`seeding ${user}: ${problemText(signedIn.error)}`);
    const groupIds: (number | undefined)[] = [undefined];
    for (const name of options.groups ?? []) {
      const group = engine.contacts.createGroup(name);
      if (group.ok) groupIds.push(group.value.id);
    }
    for (const address of options.also ?? []) engine.contacts.add({ address });
    for (let i = 0; i < count; i++) {
      const groupId = groupIds[i % groupIds.length];
      engine.contacts.add({
        address: `person${i}@${DOMAIN}`,
        displayName: `Person ${String(i).padStart(4, '0')}`,
        ...(groupId !== undefined ? { groupId } : {}),
      });
    }
  } finally {
    await engine.close();
  }
  return dataDir;
}
