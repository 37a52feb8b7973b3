import { spawn, type ChildProcess } from 'node:child_process';

/**
 * A server a test starts for itself (rtpengine, coturn…): everything it prints is kept, it is ready
 * when what it printed says so, and `stop()` asks it to end (SIGTERM) before forcing it (SIGKILL).
 */
export class TestProcess {
  private log = '';

  private constructor(private readonly child: ChildProcess) {}

  static async start(name: string, command: string, args: readonly string[], ready: (log: string) => boolean, timeoutMs = 10_000) {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const started = new TestProcess(child);
    const append = (chunk: Buffer) => (started.log += chunk.toString());
    child.stdout!.on('data', append);
    child.stderr!.on('data', append);
    child.on('error', () => undefined);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${name} did not start:\n${started.log.slice(-2000)}`)), timeoutMs);
      const check = () => {
        if (!ready(started.log)) return;
        clearTimeout(timer);
        resolve();
      };
      child.stdout!.on('data', check);
      child.stderr!.on('data', check);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`${name} exited with ${code}:\n${started.log.slice(-2000)}`));
      });
    }).catch((error: unknown) => {
      child.kill('SIGKILL');
      throw error;
    });
    return started;
  }

  get output(): string {
    return this.log;
  }

  async stop(): Promise<void> {
    await stopChild(this.child);
  }
}

/** Asks a child process to end (SIGTERM), forcing it (SIGKILL) after 3 s; resolves once it has. */
export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
