import net from 'node:net';
import { InfrastructureError } from '../../errors.ts';

// A minimal client of the QEMU Machine Protocol over a unix socket: one connection, commands in
// order, events skipped. Enough for stop/cont/migrate/query-status/block_resize/quit.
export class QmpClient {
  private socket: net.Socket | undefined;
  private buffer = '';
  private waiters: Array<(msg: Record<string, unknown>) => void> = [];
  private readonly socketPath: string;

  constructor(socketPath: string) {
    this.socketPath = socketPath;
  }

  async connect(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        this.socket = await new Promise<net.Socket>((resolve, reject) => {
          const s = net.connect(this.socketPath);
          s.once('connect', () => resolve(s));
          s.once('error', reject);
        });
        break;
      } catch (error) {
        if (Date.now() > deadline) {
          throw new InfrastructureError(`QMP socket ${this.socketPath} did not answer`, { cause: error });
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    this.socket.setEncoding('utf8');
    this.socket.on('data', (chunk: string) => this.onData(chunk));
    this.socket.on('error', () => {});
    await this.next(); // greeting
    await this.execute('qmp_capabilities');
  }

  private onData(chunk: string): void {
    this.buffer += chunk;
    for (let nl = this.buffer.indexOf('\n'); nl >= 0; nl = this.buffer.indexOf('\n')) {
      const line = this.buffer.slice(0, nl).trim();
      this.buffer = this.buffer.slice(nl + 1);
      if (!line) continue;
      const msg = JSON.parse(line) as Record<string, unknown>;
      if ('event' in msg) continue;
      this.waiters.shift()?.(msg);
    }
  }

  private next(): Promise<Record<string, unknown>> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  async execute(command: string, args?: Record<string, unknown>): Promise<unknown> {
    if (!this.socket) throw new InfrastructureError('QMP: not connected');
    const reply = this.next();
    this.socket.write(
      `${JSON.stringify(args ? { execute: command, arguments: args } : { execute: command })}\n`,
    );
    const msg = await reply;
    if ('error' in msg) {
      const err = msg.error as { desc?: string };
      throw new InfrastructureError(`QMP ${command} failed: ${err.desc ?? JSON.stringify(err)}`);
    }
    return msg.return;
  }

  close(): void {
    this.socket?.destroy();
    this.socket = undefined;
  }
}
