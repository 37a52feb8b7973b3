/** The `app` domain: what this Parley is (desktop or web mode, version, where secrets go). */

import type { AppInfo } from '../domain/app-info.js';
import { none } from './schema.js';
import { event, type EventSpecs } from './define.js';

export const appRequests = {
  'app:getInfo': none,
};

export interface AppResponses {
  'app:getInfo': AppInfo;
}

export const appEvents = {
  /** The shell asks the page to show a conversation (a message notification was clicked). */
  onDidAskToOpenConversation: event<{ readonly peer: string }>(),
} satisfies EventSpecs;
