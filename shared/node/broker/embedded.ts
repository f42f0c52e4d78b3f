import { createServer, type Server, type Socket } from 'node:net';
import { FieldgraphError } from '../../core/errors';

/** A running embedded MQTT 3.1.1 broker (aedes) for sites without one. */
export interface EmbeddedBroker {
  /** `mqtt://host:port` that clients (protocolVersion 4) connect to. */
  readonly url: string;
  readonly port: number;
  /** Disconnects every client and stops listening; resolves when both are done. */
  close(): Promise<void>;
}

/** Where the embedded broker listens. */
export interface EmbeddedBrokerOptions {
  /** TCP port; 0 picks a free one. */
  readonly port: number;
  /** Listening address (default 0.0.0.0: site devices must reach it). */
  readonly host?: string;
}

/**
 * Starts aedes on a TCP port. Sockets get TCP_NODELAY so small request/response messages are
 * not held back by Nagle's algorithm. Fails with `broker.port_in_use` when the port is taken.
 */
export const startEmbeddedBroker = async (options: EmbeddedBrokerOptions): Promise<EmbeddedBroker> => {
  // Loaded on demand: most gateways use the site broker and never pay for aedes' memory.
  const { Aedes } = await import('aedes');
  const aedes = await Aedes.createBroker();
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    socket.setNoDelay(true);
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    aedes.handle(socket);
  });
  const host = options.host ?? '0.0.0.0';
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    await new Promise<void>((resolve) => aedes.close(() => resolve()));
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') {
      throw new FieldgraphError(
        'broker.port_in_use',
        `Port ${options.port} is already in use, so the embedded broker cannot start. Stop the other broker or pick another port with --embedded-broker.`,
        { port: options.port },
      );
    }
    throw error;
  }
  const port = (server.address() as { port: number }).port;
  const urlHost = host === '0.0.0.0' ? '127.0.0.1' : host;
  return {
    url: `mqtt://${urlHost}:${port}`,
    port,
    async close() {
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
};
