/** The `app` domain: what this Parley is (desktop or web mode, version, where secrets go). */

import type { AppInfo } from '../domain/app-info.js';
import { none, obj, str } from './schema.js';
import type { EventSpecs } from './define.js';

export const appRequests = {
  'app:getInfo': none,
  /**
   * The desktop app opens a conversation in its own window (one per person, focused when opened
   * again); web mode answers `opened: false` and the page shows it itself.
   */
  'app:openConversation': obj({ peer: str(400) }),
};

export interface AppResponses {
  'app:getInfo': AppInfo;
  'app:openConversation': { readonly opened: boolean };
}

export const appEvents = {} satisfies EventSpecs;
