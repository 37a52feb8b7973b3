import { mount } from 'svelte';
import App from './App.svelte';
import { connectBridge } from './shell/bridge';
import { AppState } from './shell/app-state.svelte';
import './app.css';

const target = document.getElementById('app');
if (!target) throw new Error('#app is missing from index.html');
const state = new AppState(connectBridge());
mount(App, { target, props: { app: state } });
void state.load();
