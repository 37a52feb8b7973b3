/** The `app` domain: what this Parley is (desktop or web mode, version, where secrets go). */

import type { AppInfo } from '../domain/app-info.js';
import { conversationId, none, obj } from './schema.js';
import type { EventSpecs } from './define.js';

export const appRequests = {
  'app:getInfo': none,
  /**
   * The desktop app opens a conversation in its own window (one per conversation, focused when
   * opened again); web mode answers `opened: false` and the page shows it itself.
   */
  'app:openConversation': obj({ conversationId }),
};

export interface AppResponses {
  'app:getInfo': AppInfo;
  'app:openConversation': { readonly opened: boolean };
}

export const appEvents = {} satisfies EventSpecs;
