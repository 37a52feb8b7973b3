import { Problem } from '../../shared/domain/problem.js';
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { createParleyApi, isChannel, isEventName } from '../../shared/ipc/contract.js';
import { err } from '../../shared/ipc/result.js';

/**
 * The only thing the page gets: `window.parley`, the domain-shaped API built from the shared
 * contract. Channels and events are checked against the contract's allowlists here, and main checks
 * the sender and every payload again; `ipcRenderer` itself never reaches the page.
 */
const api = createParleyApi({
  invoke: async (channel, params) => {
    if (!isChannel(channel)) return err('forbidden', Problem.UnknownRequest);
    return ipcRenderer.invoke(channel, params);
  },
  subscribe: (event, listener) => {
    if (!isEventName(event)) return () => undefined;
    const handler = (_event: IpcRendererEvent, payload: unknown) => listener(payload);
    ipcRenderer.on(event, handler);
    return () => {
      ipcRenderer.removeListener(event, handler);
    };
  },
});

contextBridge.exposeInMainWorld('parley', api);
