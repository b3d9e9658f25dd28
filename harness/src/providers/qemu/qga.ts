import { randomInt } from 'node:crypto';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { InfrastructureError } from '../../contracts/errors.ts';

export interface GuestExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

// A client of the QEMU guest agent: qemu-ga in the guest on the virtio-serial port
// org.qemu.guest_agent.0, whose host end is a unix socket. It runs a command in the guest without
// an SSH handshake (seconds of the guest's CPU under emulation). One request at a time.
export class GuestAgent {
  private socket: net.Socket | undefined;
  private buffer = '';
  private waiter: ((line: string) => void) | undefined;
  private readonly socketPath: string;

  constructor(socketPath: string) {
    this.socketPath = socketPath;
  }

  // Connects and resynchronises with the agent (guest-sync-delimited): whatever a previous client
  // left unread in the port, or the agent wrote before a snapshot, is skipped.
  async connect(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let lastError = '';
    while (Date.now() < deadline) {
      try {
        this.socket = await new Promise<net.Socket>((resolve, reject) => {
          const s = net.connect(this.socketPath);
          s.once('connect', () => resolve(s));
          s.once('error', reject);
        });
        this.socket.setEncoding('latin1');
        this.socket.on('data', (chunk: string) => this.onData(chunk));
        this.socket.on('error', () => {});
        const id = randomInt(1, 2 ** 31);
        const reply = await this.request('guest-sync-delimited', { id }, 3_000, (r) => r === id);
        if (reply === id) return;
      } catch (error) {
        lastError = (error as Error).message;
      }
      this.close();
      await sleep(200);
    }
    throw new InfrastructureError(`the guest agent on ${this.socketPath} did not answer: ${lastError}`, {
      hint: 'the golden image needs qemu-guest-agent (harness/images/build-node-image.sh)',
    });
  }

  // Lines of JSON; the 0xFF byte the agent sends before a guest-sync-delimited reply is dropped.
  private onData(chunk: string): void {
    this.buffer += chunk.replaceAll('\xff', '');
    for (let nl = this.buffer.indexOf('\n'); nl >= 0; nl = this.buffer.indexOf('\n')) {
      const line = this.buffer.slice(0, nl).trim();
      this.buffer = this.buffer.slice(nl + 1);
      if (line) this.waiter?.(line);
    }
  }

  // Sends one command and waits for its reply; with `accept`, replies it rejects are skipped
  // (stale answers to an earlier client's sync).
  private async request(
    command: string,
    args: Record<string, unknown>,
    timeoutMs: number,
    accept: (value: unknown) => boolean = () => true,
  ): Promise<unknown> {
    const socket = this.socket;
    if (!socket || socket.destroyed) throw new InfrastructureError(`guest agent ${command}: not connected`);
    const reply = new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = undefined;
        reject(new InfrastructureError(`guest agent ${command}: no reply within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiter = (line) => {
        let msg: { return?: unknown; error?: { desc?: string } };
        try {
          msg = JSON.parse(line);
        } catch {
          return;
        }
        if (msg.error) {
          clearTimeout(timer);
          this.waiter = undefined;
          reject(new InfrastructureError(`guest agent ${command} failed: ${msg.error.desc ?? line}`));
          return;
        }
        if (!accept(msg.return)) return;
        clearTimeout(timer);
        this.waiter = undefined;
        resolve(msg.return);
      };
    });
    socket.write(`${JSON.stringify({ execute: command, arguments: args })}\n`);
    return reply;
  }

  // Runs `path args` in the guest with `input` on its standard input; waits for it to exit.
  async exec(path: string, args: string[], input: string, timeoutMs: number): Promise<GuestExecResult> {
    const started = await this.request(
      'guest-exec',
      { path, arg: args, 'input-data': Buffer.from(input).toString('base64'), 'capture-output': true },
      10_000,
    );
    const pid = (started as { pid: number }).pid;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const status = (await this.request('guest-exec-status', { pid }, 10_000)) as {
        exited: boolean;
        exitcode?: number;
        signal?: number;
        'out-data'?: string;
        'err-data'?: string;
      };
      if (status.exited) {
        const decode = (data?: string) => (data ? Buffer.from(data, 'base64').toString('utf8') : '');
        return {
          exitCode: status.exitcode ?? 128 + (status.signal ?? 0),
          stdout: decode(status['out-data']),
          stderr: decode(status['err-data']),
        };
      }
      if (Date.now() > deadline) {
        throw new InfrastructureError(
          `guest agent: ${path} did not exit within ${Math.round(timeoutMs / 1000)} s`,
        );
      }
      await sleep(100);
    }
  }

  close(): void {
    this.socket?.destroy();
    this.socket = undefined;
    this.buffer = '';
    this.waiter = undefined;
  }
}
