/** The `app` domain: what this Parley is (desktop or web mode, version, where secrets go). */

import type { AppInfo } from '../domain/app-info.js';
import { none } from './schema.js';
import type { EventSpecs } from './define.js';

export const appRequests = {
  'app:getInfo': none,
};

export interface AppResponses {
  'app:getInfo': AppInfo;
}

export const appEvents = {} satisfies EventSpecs;
