import { DesktopApp } from './desktop-app.js';

// Electron's entry point (package.json "main" → out/main/app/main.js).
void new DesktopApp().run();
