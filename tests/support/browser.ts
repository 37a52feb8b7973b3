import { chromium, type Browser } from 'playwright-core';

/** Debian's Chromium, headless, without any of its calls home (the network here is closed). */
export function launchChromium(options: { media?: boolean } = {}): Promise<Browser> {
  const args = [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--disable-quic',
  ];
  if (options.media) args.push('--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream');
  return chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args });
}
