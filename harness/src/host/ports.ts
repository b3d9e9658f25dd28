import net from 'node:net';
import { KvError } from '../contracts/errors.ts';

// Loopback ports for the control plane. A free port is found by binding port 0; a requested port
// that is taken gives a clear error instead of a component dying with "address already in use".

export class PortInUseError extends KvError {
  constructor(port: number, what: string) {
    super('USAGE', `port 127.0.0.1:${port} for ${what} is already in use`, {
      hint: 'choose another port, or omit it to let kvmatrix pick a free one (`ss -ltnp` shows who holds it)',
    });
  }
}

export function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

// The requested port if it is free (else PortInUseError), or a free one.
export async function claimPort(requested: number | undefined, what: string): Promise<number> {
  if (requested === undefined) return findFreePort();
  if (!(await isPortFree(requested))) throw new PortInUseError(requested, what);
  return requested;
}
