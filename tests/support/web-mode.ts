import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const CLI = new URL('../../out/main/web/cli.js', import.meta.url);

/**
 * Parley in web mode as a person starts it (`node out/main/web/cli.js --data-dir DIR --port 0`; the
 * tests run `npm run build` first). `stop()` sends SIGTERM, as closing the terminal would.
 */
export class WebParley {
  url = '';
  /** Milliseconds from spawn to the `Parley web UI:` line. */
  readyMs = 0;
  private output = '';
  private constructor(
    readonly dataDir: string,
    private readonly child: ChildProcess,
  ) {}

  static async launch(options: { dataDir?: string; env?: Record<string, string> } = {}): Promise<WebParley> {
    const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'parley-web-'));
    const started = performance.now();
    const child = spawn(process.execPath, [CLI.pathname, '--data-dir', dataDir, '--port', '0'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, PARLEY_LOG: 'info', ...options.env },
    });
    const parley = new WebParley(dataDir, child);
    child.stderr!.on('data', (chunk: Buffer) => (parley.output += chunk.toString()));
    const lines = createInterface({ input: child.stdout! });
    parley.url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`web mode did not start:\n${parley.output}`)), 20_000);
      child.once('exit', (code) => reject(new Error(`web mode exited with ${code}:\n${parley.output}`)));
      lines.on('line', (line) => {
        parley.output += `${line}\n`;
        const match = /^Parley web UI: (\S+)$/.exec(line);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]!);
        }
      });
    });
    parley.readyMs = performance.now() - started;
    return parley;
  }

  /** The process id (for RSS measurements). */
  get pid(): number {
    return this.child.pid!;
  }

  /** What the process printed (for a failing test's message). */
  get log(): string {
    return this.output;
  }

  /** Stops the process (SIGTERM: it signs out first) and waits for it to exit. */
  async stop(): Promise<number | null> {
    if (this.child.exitCode !== null) return this.child.exitCode;
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
      this.child.once('exit', (code) => {
        clearTimeout(timer);
        resolve(code);
      });
      this.child.kill('SIGTERM');
    });
  }

  /** Kills the process at once (SIGKILL: nothing runs after it, as in a crash or a power cut). */
  async kill(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill('SIGKILL');
    await exited;
  }

  /** Stops the process and removes its data folder. */
  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}
