import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { InfrastructureError } from '../../contracts/errors.ts';

// A minimal client of the QEMU Machine Protocol over a unix socket: one connection, commands in
// order, events skipped. Enough for stop/cont/migrate/query-status/block_resize/quit.
export class QmpClient {
  private socket: net.Socket | undefined;
  private buffer = '';
  private waiters: Array<(msg: Record<string, unknown>) => void> = [];
  private closedReason: string | undefined;
  private readonly socketPath: string;

  constructor(socketPath: string) {
    this.socketPath = socketPath;
  }

  // Connects and negotiates capabilities. A client that connects while QEMU is still starting
  // may never get the greeting (seen with QEMU 7.2): such a connection is dropped and retried.
  async connect(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        const socket = await new Promise<net.Socket>((resolve, reject) => {
          const s = net.connect(this.socketPath);
          s.once('connect', () => resolve(s));
          s.once('error', reject);
        });
        this.socket = socket;
        this.buffer = '';
        this.waiters = [];
        socket.setEncoding('utf8');
        socket.on('data', (chunk: string) => this.onData(chunk));
        socket.on('error', () => {});
        // A QEMU that exits mid-command must fail the command, not leave it pending forever.
        socket.on('close', () => {
          this.closedReason = 'QEMU closed the QMP connection';
          for (const waiter of this.waiters.splice(0)) waiter({ error: { desc: this.closedReason } });
        });
        const greeting = await Promise.race([this.next(), sleep(2000).then(() => undefined)]);
        if (greeting) break;
        socket.destroy();
      } catch (error) {
        if (Date.now() > deadline) {
          throw new InfrastructureError(`QMP socket ${this.socketPath} did not answer`, { cause: error });
        }
      }
      if (Date.now() > deadline)
        throw new InfrastructureError(`QMP socket ${this.socketPath} sent no greeting`);
      await sleep(50);
    }
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
    if (!this.socket || this.socket.destroyed) {
      throw new InfrastructureError(`QMP ${command}: ${this.closedReason ?? 'not connected'}`);
    }
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
