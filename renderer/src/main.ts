import { mount } from 'svelte';
import App from './App.svelte';
import { connectBridge } from './shell/bridge';
import { AppState } from './shell/app-state.svelte';
import { setLocale } from '../../shared/i18n/format';
import './app.css';

const target = document.getElementById('app');
if (!target) throw new Error('#app is missing from index.html');
const bridge = connectBridge();
// The page speaks the language Settings names from its first word: asked before anything is drawn.
void bridge.api.settings
  .get()
  .catch(() => undefined)
  .then((settings) => {
    if (settings?.ok) {
      setLocale(settings.value.language);
      document.documentElement.lang = settings.value.language;
    }
    const state = new AppState(bridge);
    mount(App, { target, props: { app: state } });
    void state.load();
  });
