import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { claimPort, PortInUseError } from './ports.ts';

describe('claimPort', () => {
  it('refuses a requested port that another process holds, naming it', async () => {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as net.AddressInfo).port;
    try {
      const error = await claimPort(port, 'kube-apiserver').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PortInUseError);
      expect((error as Error).message).toBe(`port 127.0.0.1:${port} for kube-apiserver is already in use`);
    } finally {
      server.close();
    }
  });

  it('picks a free loopback port when none is requested', async () => {
    const port = await claimPort(undefined, 'etcd');
    expect(port).toBeGreaterThan(1024);
  });
});
